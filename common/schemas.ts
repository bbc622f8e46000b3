// The contract's request schemas, validated on the back-end side (web shell and desktop IPC). Every
// argument that crosses the boundary is hostile until one of these says otherwise.
import { z } from 'zod';
import type { Method } from './contract.ts';

const id = z.string().min(1).max(512);
const kind = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9.\-/]+$/);

export const methods = {
  'fleet.get': z.object({}).strict(),
  'cluster.get': z.object({ cluster: id }).strict(),
  'node.get': z.object({ cluster: id, node: id }).strict(),
  'object.get': z
    .object({ cluster: id, kind, uid: id.optional(), namespace: z.string().max(253).optional(), name: id.optional() })
    .strict()
    .refine((p) => p.uid !== undefined || p.name !== undefined, 'uid or name is required'),
  // from/to: indexes into the object's history (the state right after that change); null from is
  // "nothing" (the object's creation), null to is the current object.
  'object.diff': z
    .object({
      cluster: id,
      kind,
      uid: id,
      from: z.number().int().nonnegative().max(1e6).nullable(),
      to: z.number().int().nonnegative().max(1e6).nullable(),
    })
    .strict(),
  search: z.object({ q: z.string().max(256), limit: z.number().int().min(1).max(500).optional() }).strict(),
  'metrics.get': z.object({ cluster: id, from: z.number().int().optional(), to: z.number().int().optional() }).strict(),
  'onboarding.get': z.object({}).strict(),
  'sources.add': z.object({ path: z.string().min(1).max(4096) }).strict(),
} as const;

/** Validate a request: {ok:false} on anything off, never throws. */
export function parseRequest(
  method: unknown,
  params: unknown,
): { ok: true; method: Method; params: unknown } | { ok: false; error: string } {
  if (typeof method !== 'string' || !Object.hasOwn(methods, method))
    return { ok: false, error: `unknown method ${JSON.stringify(method)}` };
  const r = methods[method as Method].safeParse(params ?? {});
  if (!r.success)
    return {
      ok: false,
      error: `invalid params for ${method}: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    };
  return { ok: true, method: method as Method, params: r.data };
}
