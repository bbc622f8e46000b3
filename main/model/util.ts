// Defensive readers shared by model/. WHY: the input is untrusted JSON (see types.ts); a reader must
// never throw on a missing or oddly typed field, and keys that come from the data (resource names,
// label keys) must never be written into plain objects with `obj[key] = v` (a key "__proto__" would
// change the object's prototype). Accumulate in Maps and convert with Object.fromEntries, which
// defines own properties.
import type { KObject, Node, NodeCondition, Pod } from './types.ts';
import { formatAge } from '../../common/format.ts';

/** The value if it is an array, else []. Items may still be anything: read them with optional chaining. */
export function arr<T>(x: readonly T[] | null | undefined): readonly T[] {
  return Array.isArray(x) ? x : [];
}

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Own entries of a map-like field, [] for anything else. */
export function entries<V>(x: Record<string, V> | null | undefined): [string, V][] {
  return isRecord(x) ? (Object.entries(x) as [string, V][]) : [];
}

/** An own string-valued key of a map-like field. */
export function get(x: Record<string, unknown> | null | undefined, key: string): string | undefined {
  if (!isRecord(x) || !Object.hasOwn(x, key)) return undefined;
  const v = x[key];
  return typeof v === 'string' ? v : undefined;
}

export function str(x: unknown): string | undefined {
  return typeof x === 'string' ? x : undefined;
}

/** The object's controller: ownerReferences[controller=true] with a kind and a name (and its uid, when it has one). */
export function controllerOf(o: unknown): { kind: string; name: string; uid?: string } | undefined {
  const md = isRecord(o) && Object.hasOwn(o, 'metadata') ? o.metadata : undefined;
  const refs = isRecord(md) && Object.hasOwn(md, 'ownerReferences') ? md.ownerReferences : undefined;
  for (const r of arr(refs as unknown[])) {
    if (!isRecord(r) || r.controller !== true) continue;
    const kind = str(r.kind);
    const name = str(r.name);
    if (!kind || !name) continue;
    const uid = str(r.uid);
    return uid ? { kind, name, uid } : { kind, name };
  }
  return undefined;
}

export function num(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined;
}

export function nameOf(o: KObject | null | undefined): string {
  return str(o?.metadata?.name) ?? '';
}

export function namespaceOf(o: KObject | null | undefined): string | undefined {
  return str(o?.metadata?.namespace);
}

export function labelsOf(o: KObject | null | undefined): Record<string, string> {
  const l = o?.metadata?.labels;
  return isRecord(l) ? l : {};
}

/** RFC 3339 time → epoch ms, undefined when absent or unparsable. */
export function parseTime(x: unknown): number | undefined {
  if (typeof x !== 'string' || x === '') return undefined;
  const t = Date.parse(x);
  return Number.isNaN(t) ? undefined : t;
}

export function addTo(m: Map<string, number>, key: string, v: number): void {
  m.set(key, (m.get(key) ?? 0) + v);
}

export function toRecord<V>(m: Map<string, V>): Record<string, V> {
  return Object.fromEntries(m);
}

export function condition(conds: readonly NodeCondition[] | null | undefined, type: string): NodeCondition | undefined {
  for (const c of arr(conds)) if (c?.type === type) return c;
  return undefined;
}

/** Node Ready condition status as the API reports it; a node without one is "Unknown". */
export function nodeReadyStatus(node: Node): 'True' | 'False' | 'Unknown' {
  const s = condition(node?.status?.conditions, 'Ready')?.status;
  return s === 'True' || s === 'False' ? s : 'Unknown';
}

/** spec.unschedulable: `kubectl cordon`. */
export function isCordoned(node: Node): boolean {
  return node?.spec?.unschedulable === true;
}

/** Terminal pods hold nothing: kubectl describe node lists pods with status.phase!=Succeeded,status.phase!=Failed. */
export function isTerminalPod(pod: Pod): boolean {
  const p = pod?.status?.phase;
  return p === 'Succeeded' || p === 'Failed';
}

export function isPodReady(pod: Pod): boolean {
  return pod?.status?.phase === 'Running' && condition(pod?.status?.conditions, 'Ready')?.status === 'True';
}

/** Unbound pods waiting for the scheduler (queued demand). */
export function isUnboundPending(pod: Pod): boolean {
  return !str(pod?.spec?.nodeName) && pod?.status?.phase === 'Pending';
}

/** A duration in a message, as kubectl's AGE column shows it (common/format.ts formatAge): "5m30s", "3h20m", "5d4h"; a negative one (clock skew) is "0s". */
export function ageText(ms: number): string {
  return formatAge(Math.max(0, ms));
}
