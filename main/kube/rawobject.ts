// Objects as the JSON text the API server sent. Parsing every watch event into objects and
// serialising it again was most of the cost of ingesting it; instead, one pass over the text checks
// that it is JSON (what JSON.parse takes) and finds what the store needs: the event's type; the
// object's uid, name, namespace, resourceVersion, creationTimestamp; the values its index columns
// are made of (type, spec.nodeName, status.phase, .attached, .conditions); and where what the cache
// never keeps is (managedFields, the last-applied annotation), to cut it out of the text. Anything it does not take (not JSON; or what it cannot
// vouch for: duplicate keys where it reads, very deep nesting) is a ScanError, and the caller parses
// the text with JSON.parse instead.

export class ScanError extends Error {}

const MAX_DEPTH = 256;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f]/;

// The scanner is synchronous: module state for the text being scanned is where its next backslash is
// (2^32 - 1: none; strings before it have no escapes) and whether the last string had escapes. The
// text itself is passed along (a parameter, so that charCodeAt is inlined).
let nextBackslash = -1;
let esc = false;

function fail(i: number): never {
  throw new ScanError(`not JSON the scanner takes (at ${i})`);
}

const isWs = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

function sp(s: string, i: number): number {
  while (isWs(s.charCodeAt(i))) i++;
  return i;
}

/** where the text ends before trailing whitespace (not before `from`) */
function trimEnd(s: string, end: number, from: number): number {
  while (end > from && isWs(s.charCodeAt(end - 1))) end--;
  return end;
}

/**
 * Skip the string at i (checked: no control characters, only valid escapes). Short ones character by
 * character; a long one up to the next quote (indexOf), then checked as a whole, unless it has escapes.
 */
function skipString(s: string, i: number): number {
  let j = i + 1;
  const short = j + 24;
  for (; j < short; j++) {
    const c = s.charCodeAt(j);
    if (c === 34) {
      esc = false;
      return j + 1;
    }
    if (c === 92 || c < 32 || c !== c) return escapedString(s, i); // (NaN: the end of the text)
  }
  const q = s.indexOf('"', j);
  if (q < 0) fail(s.length);
  if (nextBackslash < j) nextBackslash = s.indexOf('\\', j) >>> 0;
  if (nextBackslash < q || CONTROL.test(s.slice(j, q))) return escapedString(s, i);
  esc = false;
  return q + 1;
}

/** Skip the string at i, checking each character and escape. */
function escapedString(s: string, i: number): number {
  let j = i + 1;
  for (;;) {
    const c = s.charCodeAt(j);
    if (c === 34) break;
    if (c === 92) {
      const d = s.charCodeAt(j + 1);
      if (d === 117) {
        for (let k = j + 2; k < j + 6; k++) {
          const h = s.charCodeAt(k);
          if (!((h >= 48 && h <= 57) || (h >= 65 && h <= 70) || (h >= 97 && h <= 102))) fail(k);
        }
        j += 6;
      } else if (d === 34 || d === 92 || d === 47 || d === 98 || d === 102 || d === 110 || d === 114 || d === 116) j += 2;
      else fail(j);
      continue;
    }
    if (c < 32 || c !== c) fail(j); // a control character; NaN: the end of the text
    j++;
  }
  esc = true;
  return j + 1;
}

function skipDigits(s: string, i: number): number {
  let c = s.charCodeAt(i);
  if (!(c >= 48 && c <= 57)) fail(i);
  do c = s.charCodeAt(++i);
  while (c >= 48 && c <= 57);
  return i;
}

function skipNumber(s: string, i: number): number {
  if (s.charCodeAt(i) === 45) i++;
  if (s.charCodeAt(i) === 48) i++;
  else i = skipDigits(s, i);
  if (s.charCodeAt(i) === 46) i = skipDigits(s, i + 1);
  const e = s.charCodeAt(i);
  if (e === 101 || e === 69) {
    const sign = s.charCodeAt(i + 1);
    i = skipDigits(s, sign === 43 || sign === 45 ? i + 2 : i + 1);
  }
  return i;
}

function skipValue(s: string, i: number, depth: number): number {
  switch (s.charCodeAt(i)) {
    case 34:
      return skipString(s, i);
    case 123:
      return skipObject(s, i, depth + 1);
    case 91:
      return skipArray(s, i, depth + 1);
    case 116:
      if (!s.startsWith('true', i)) fail(i);
      return i + 4;
    case 102:
      if (!s.startsWith('false', i)) fail(i);
      return i + 5;
    case 110:
      if (!s.startsWith('null', i)) fail(i);
      return i + 4;
    default:
      return skipNumber(s, i);
  }
}

function skipArray(s: string, i: number, depth: number): number {
  if (depth > MAX_DEPTH) fail(i);
  i = sp(s, i + 1);
  if (s.charCodeAt(i) === 93) return i + 1;
  for (;;) {
    i = sp(s, skipValue(s, i, depth));
    const c = s.charCodeAt(i);
    if (c === 44) i = sp(s, i + 1);
    else if (c === 93) return i + 1;
    else fail(i);
  }
}

function skipObject(s: string, i: number, depth: number): number {
  if (depth > MAX_DEPTH) fail(i);
  i = sp(s, i + 1);
  if (s.charCodeAt(i) === 125) return i + 1;
  for (;;) {
    if (s.charCodeAt(i) !== 34) fail(i);
    i = sp(s, skipString(s, i));
    if (s.charCodeAt(i) !== 58) fail(i);
    i = sp(s, skipValue(s, sp(s, i + 1), depth));
    const c = s.charCodeAt(i);
    if (c === 44) i = sp(s, i + 1);
    else if (c === 125) return i + 1;
    else fail(i);
  }
}

// An object's members, as RawObject's readers walk them (they differ only in what they keep of a
// member):
//
//   for (i = firstMember(s, i); i >= 0; i = nextMember(s, i)) {
//     const ks = i;
//     i = skipString(s, ks); // the key is [ks, i); esc: whether it has escapes
//     const vs = valueStart(s, i);
//     i = skipValue(s, vs, depth); // the value is [vs, i)
//   }
//   return ~i; // where the object ends
//
// Small functions, which V8 inlines: as fast as the loop written out in each reader (measured on
// bench/core.bench.ts's pod lines). The loops call skipString themselves (behind another call V8 does not
// inline it), and skipObject, the hot loop under every reader, stays written out: with these in
// it, V8 no longer inlines skipValue into it (5-10% slower).

/** A member's key at i: checked to be a string; i. */
function key(s: string, i: number): number {
  if (s.charCodeAt(i) !== 34) fail(i);
  return i;
}

/** The first member of the object at i: where its key is, or ~(where the object ends) when it has none. */
function firstMember(s: string, i: number): number {
  i = sp(s, i + 1);
  return s.charCodeAt(i) === 125 ? ~(i + 1) : key(s, i);
}

/** The colon after a key that ends at i: where the value starts (esc reset, for the value's string). */
function valueStart(s: string, i: number): number {
  i = sp(s, i);
  if (s.charCodeAt(i) !== 58) fail(i);
  esc = false;
  return sp(s, i + 1);
}

/** After a value that ends at i: where the next member's key is, or ~(where the object ends) after the last. */
function nextMember(s: string, i: number): number {
  i = sp(s, i);
  const c = s.charCodeAt(i);
  if (c === 44) return key(s, sp(s, i + 1));
  if (c !== 125) fail(i);
  return ~(i + 1);
}

const LAST_APPLIED = '"kubectl.kubernetes.io/last-applied-configuration"';
const EVENT_TYPES = ['ADDED', 'MODIFIED', 'DELETED'];

/** The key at ks (its string token ends at ke): decoded only when it has escapes. */
function keyIs(s: string, ks: number, ke: number, quoted: string, escaped: boolean): boolean {
  if (!escaped) return ke - ks === quoted.length && s.startsWith(quoted, ks);
  return JSON.parse(s.slice(ks, ke)) === JSON.parse(quoted);
}

/** The value at [vs, ve) as JSON.parse gives it (a string without escapes: a slice). */
function valueAt(s: string, vs: number, ve: number, escaped: boolean): unknown {
  if (s.charCodeAt(vs) === 34 && !escaped) return s.slice(vs + 1, ve - 1);
  return JSON.parse(s.slice(vs, ve));
}

const METADATA_KEYS = ['"uid"', '"name"', '"namespace"', '"resourceVersion"', '"creationTimestamp"', '"managedFields"', '"annotations"'];
/** quoted length → the metadata key of that length */
const BY_LENGTH: number[] = [];
METADATA_KEYS.forEach((k, i) => (BY_LENGTH[k.length] = i));

/** Which of METADATA_KEYS the key token [ks, ke) is (-1: none). */
function metadataKey(s: string, ks: number, ke: number, escaped: boolean): number {
  if (escaped) return METADATA_KEYS.indexOf(JSON.stringify(JSON.parse(s.slice(ks, ke))));
  const k = BY_LENGTH[ke - ks];
  return k !== undefined && s.startsWith(METADATA_KEYS[k]!, ks) ? k : -1;
}
const UID = 0;
const NAME = 1;
const NAMESPACE = 2;
const RESOURCE_VERSION = 3;
const CREATED = 4;
const MANAGED_FIELDS = 5;
const ANNOTATIONS = 6;

/** A managedFields entry, as far as who wrote the object goes. */
export interface FieldManagerEntry {
  manager?: unknown;
  operation?: unknown;
  time?: unknown;
  subresource?: unknown;
}

/**
 * Who last wrote the object (not its status): the manager of the latest managedFields entry that is
 * not the status subresource ("kubectl-edit (Update)", "kubectl (Apply)"); null when none says.
 * Times are RFC 3339 in UTC, so they compare as strings; ties go to the later entry.
 */
export function fieldManager(entries: readonly FieldManagerEntry[] | unknown): string | null {
  if (!Array.isArray(entries)) return null;
  let best: FieldManagerEntry | undefined;
  let bestTime = '';
  for (const e of entries as FieldManagerEntry[]) {
    if (!e || typeof e !== 'object' || typeof e.manager !== 'string' || !e.manager || e.subresource === 'status') continue;
    const t = typeof e.time === 'string' ? e.time : '';
    if (!best || t >= bestTime) {
      best = e;
      bestTime = t;
    }
  }
  if (!best) return null;
  const name = (best.manager as string).slice(0, 128);
  return typeof best.operation === 'string' && best.operation ? `${name} (${best.operation.slice(0, 32)})` : name;
}

/**
 * The entries of a managedFields array in text[from, to), reading only manager, operation, time and
 * subresource: fieldsV1 (most of the bytes) is skipped, not parsed. Keys of fieldsV1 are prefixed
 * ("f:", "k:", "v:", "i:", "."), so an unescaped `"manager":` is an entry's own member; the members
 * of an entry lie between its "manager" and the next one (the API server writes manager first).
 */
function managedEntries(s: string, from: number, to: number): FieldManagerEntry[] {
  const out: FieldManagerEntry[] = [];
  const at: number[] = [];
  for (let i = s.indexOf('"manager"', from); i >= 0 && i < to; i = s.indexOf('"manager"', i + 9))
    if (s.charCodeAt(i - 1) !== 92) at.push(i);
  const member = (key: string, a: number, b: number): unknown => {
    const k = s.indexOf(key, a);
    if (k < 0 || k >= b) return undefined;
    const vs = sp(s, sp(s, k + key.length) + 1);
    if (s.charCodeAt(sp(s, k + key.length)) !== 58 || s.charCodeAt(vs) !== 34) return undefined;
    const ve = skipString(s, vs);
    return valueAt(s, vs, ve, esc);
  };
  for (let n = 0; n < at.length; n++) {
    const a = at[n]!;
    const b = n + 1 < at.length ? at[n + 1]! : to;
    out.push({
      manager: member('"manager"', a, b),
      operation: member('"operation"', a, b),
      time: member('"time"', a, b),
      subresource: member('"subresource"', a, b),
    });
  }
  return out;
}

/** Top-level members read (bits, for duplicates: JSON.parse keeps the last one) */
const TOP_KEYS = ['"metadata"', '"spec"', '"status"', '"type"'];
const METADATA = 0;
const SPEC = 1;
const STATUS = 2;
const TYPE = 3;

/**
 * A Kubernetes object as JSON text, checked, with what the store needs found in it: metadata's uid,
 * name, namespace, resourceVersion, creationTimestamp; and what the index columns are made of. Values
 * as JSON.parse gives them.
 */
export class RawObject {
  /** the text: the object is text[start, end) (the text may be a whole watch event line) */
  readonly text: string;
  readonly start: number;
  readonly end: number;
  uid: unknown;
  name: unknown;
  namespace: unknown;
  resourceVersion: unknown;
  creationTimestamp: unknown;
  /** what the index columns are made of (see Store's IndexFields): type, spec.nodeName, status.phase, .attached */
  type: unknown;
  nodeName: unknown;
  phase: unknown;
  attached: unknown;
  /** where status.conditions is (decoded when asked for: only nodes' index columns need it) */
  private conditionsAt = -1;
  private conditionsEnd = -1;
  /** [from, to) ranges of the text that are cut, in order: managedFields, the last-applied annotation (-1: none) */
  private cut0 = -1;
  private cut1 = -1;
  private cut2 = -1;
  private cut3 = -1;
  /** the text is a watch event, not the object alone (for parse) */
  private readonly event: boolean;
  /** the event's type, for an object scanned from a watch event line */
  eventType: string | undefined;
  /** where metadata.managedFields' value is ([from, to); -1: none) */
  private managedAt = -1;
  private managedEnd = -1;

  private constructor(text: string, start: number, end: number, event: boolean) {
    this.text = text;
    this.start = start;
    this.end = end;
    this.event = event;
    const s = text;
    nextBackslash = -1;
    if (s.charCodeAt(start) !== 123) fail(start);
    let seen = 0;
    let i: number;
    for (i = firstMember(s, start); i >= 0; i = nextMember(s, i)) {
      const ks = i;
      i = skipString(s, ks);
      let key = -1;
      for (let k = 0; k < TOP_KEYS.length; k++) {
        if (keyIs(s, ks, i, TOP_KEYS[k]!, esc)) {
          if (seen & (1 << k)) fail(ks);
          seen |= 1 << k;
          key = k;
          break;
        }
      }
      const vs = valueStart(s, i);
      const obj = s.charCodeAt(vs) === 123;
      if (key === METADATA && obj) i = this.metadata(vs);
      else if (key === SPEC && obj) i = this.spec(vs);
      else if (key === STATUS && obj) i = this.status(vs);
      else {
        i = skipValue(s, vs, 2);
        if (key === TYPE) this.type = valueAt(s, vs, i, esc);
      }
    }
    if (~i !== end) fail(~i - 1);
  }

  /** who last wrote the object, from its managedFields (see fieldManager); read when asked for */
  get manager(): string | null {
    if (this.managedAt < 0 || this.text.charCodeAt(this.managedAt) !== 91) return null;
    // The scanner's module state belongs to the text scanned last: start afresh for this one.
    nextBackslash = -1;
    try {
      return fieldManager(managedEntries(this.text, this.managedAt, this.managedEnd));
    } catch {
      return null; // what the scan cannot read says nothing about who
    } finally {
      esc = false;
    }
  }

  /** status.conditions (only nodes' index columns need it: decoded when asked for) */
  get conditions(): unknown {
    return this.conditionsAt < 0 ? undefined : JSON.parse(this.text.slice(this.conditionsAt, this.conditionsEnd));
  }

  /** Read spec (at i), keeping nodeName; returns where it ends. */
  private spec(i: number): number {
    const s = this.text;
    let seen = false;
    for (i = firstMember(s, i); i >= 0; i = nextMember(s, i)) {
      const ks = i;
      i = skipString(s, ks);
      const isNodeName = keyIs(s, ks, i, '"nodeName"', esc);
      if (isNodeName && seen) fail(ks);
      const vs = valueStart(s, i);
      i = skipValue(s, vs, 3);
      if (isNodeName) {
        seen = true;
        this.nodeName = valueAt(s, vs, i, esc);
      }
    }
    return ~i;
  }

  /** Read status (at i), keeping phase, attached, where conditions are; returns where it ends. */
  private status(i: number): number {
    const s = this.text;
    let seen = 0;
    for (i = firstMember(s, i); i >= 0; i = nextMember(s, i)) {
      const ks = i;
      i = skipString(s, ks);
      const key = keyIs(s, ks, i, '"phase"', esc)
        ? 1
        : keyIs(s, ks, i, '"attached"', esc)
          ? 2
          : keyIs(s, ks, i, '"conditions"', esc)
            ? 4
            : 0;
      if (seen & key) fail(ks);
      seen |= key;
      const vs = valueStart(s, i);
      i = skipValue(s, vs, 3);
      if (key === 1) this.phase = valueAt(s, vs, i, esc);
      else if (key === 2) this.attached = valueAt(s, vs, i, esc);
      else if (key === 4) {
        this.conditionsAt = vs;
        this.conditionsEnd = i;
      }
    }
    return ~i;
  }

  /** Read metadata (at i); returns where it ends. */
  private metadata(i: number): number {
    const s = this.text;
    let seen = 0;
    let prev = -1; // where the previous member's value ends
    for (i = firstMember(s, i); i >= 0; i = nextMember(s, i)) {
      const ks = i;
      i = skipString(s, ks);
      const key = metadataKey(s, ks, i, esc);
      if (key >= 0) {
        if (seen & (1 << key)) fail(ks); // a second one: JSON.parse keeps the last
        seen |= 1 << key;
      }
      const vs = valueStart(s, i);
      if (key === ANNOTATIONS && s.charCodeAt(vs) === 123) i = this.annotations(vs);
      else i = skipValue(s, vs, 3);
      if (key === UID) this.uid = valueAt(s, vs, i, esc);
      else if (key === NAME) this.name = valueAt(s, vs, i, esc);
      else if (key === NAMESPACE) this.namespace = valueAt(s, vs, i, esc);
      else if (key === RESOURCE_VERSION) this.resourceVersion = valueAt(s, vs, i, esc);
      else if (key === CREATED) this.creationTimestamp = valueAt(s, vs, i, esc);
      else if (key === MANAGED_FIELDS) {
        this.managedAt = vs;
        this.managedEnd = i;
        this.cutMember(ks, i, prev);
      }
      prev = i;
    }
    return ~i;
  }

  /** Read annotations (at i), finding the last-applied one; returns where they end. */
  private annotations(i: number): number {
    const s = this.text;
    let prev = -1;
    let found = false;
    for (i = firstMember(s, i); i >= 0; i = nextMember(s, i)) {
      const ks = i;
      i = skipString(s, ks);
      const isLastApplied = keyIs(s, ks, i, LAST_APPLIED, esc);
      if (isLastApplied && found) fail(ks);
      i = skipValue(s, valueStart(s, i), 4);
      if (isLastApplied) {
        found = true;
        this.cutMember(ks, i, prev);
      }
      prev = i;
    }
    return ~i;
  }

  /**
   * Cut the member [ks, ve) of an object with the comma before it (prev: where the previous member's
   * value ends) or, as its first member (prev < 0), with the comma after it, up to the next member's key.
   */
  private cutMember(ks: number, ve: number, prev: number): void {
    if (prev >= 0) return this.cut(prev, ve);
    const next = nextMember(this.text, ve);
    this.cut(ks, next >= 0 ? next : ve);
  }

  /** Add a range to cut (at most two; kept in order; they never overlap). */
  private cut(from: number, to: number): void {
    if (this.cut0 < 0) {
      this.cut0 = from;
      this.cut1 = to;
    } else if (from > this.cut0) {
      this.cut2 = from;
      this.cut3 = to;
    } else {
      this.cut2 = this.cut0;
      this.cut3 = this.cut1;
      this.cut0 = from;
      this.cut1 = to;
    }
  }

  /** Scan one object's JSON text (throws ScanError). */
  static of(text: string): RawObject {
    return new RawObject(text, sp(text, 0), trimEnd(text, text.length, 0), false);
  }

  /** Scan a watch event line `{"type": "...", "object": {...}}` (throws ScanError): its type and object. */
  static event(line: string): { type: string; object: RawObject } {
    const object = RawObject.eventObject(line);
    return { type: object.eventType!, object };
  }

  /** The object of a watch event line (throws ScanError), its eventType set. */
  static eventObject(line: string): RawObject {
    const s = line;
    nextBackslash = -1;
    let i = sp(s, 0);
    if (s.charCodeAt(i) !== 123) fail(i);
    i = sp(s, i + 1);
    if (!s.startsWith('"type"', i)) fail(i);
    const ts = valueStart(s, i + 6);
    if (s.charCodeAt(ts) !== 34) fail(ts);
    i = skipString(s, ts);
    if (esc) fail(ts);
    const type = EVENT_TYPES.find((t) => i - ts === t.length + 2 && s.startsWith(t, ts + 1)) ?? s.slice(ts + 1, i - 1);
    i = sp(s, i);
    if (s.charCodeAt(i) !== 44) fail(i);
    i = sp(s, i + 1);
    if (!s.startsWith('"object"', i)) fail(i);
    const start = valueStart(s, i + 8);
    // The object is the event's last member: it ends before the line's last '}'. (If something else
    // came after it, the object's closing brace is not where the scan expects it.)
    let end = trimEnd(s, s.length, start);
    if (s.charCodeAt(end - 1) !== 125) fail(end - 1);
    end = trimEnd(s, end - 1, start);
    if (s.charCodeAt(end - 1) !== 125) fail(end - 1);
    const object = new RawObject(s, start, end, true);
    object.eventType = type;
    return object;
  }

  /** The object parsed with JSON.parse (undefined: the text is not JSON, or holds no object). */
  parse(): Record<string, any> | undefined {
    try {
      const v = JSON.parse(this.event ? this.text : this.text.slice(this.start, this.end)) as Record<string, any> | null;
      const o = this.event ? v?.object : v;
      return o && typeof o === 'object' && !Array.isArray(o) ? o : undefined;
    } catch {
      return undefined;
    }
  }

  /** The text without managedFields and the last-applied annotation, as the pieces that remain. */
  stripped(): string[] {
    const s = this.text;
    if (this.cut0 < 0) return [s.slice(this.start, this.end)];
    if (this.cut2 < 0) return [s.slice(this.start, this.cut0), s.slice(this.cut1, this.end)];
    return [s.slice(this.start, this.cut0), s.slice(this.cut1, this.cut2), s.slice(this.cut3, this.end)];
  }

  /** Write stripped() as UTF-8 to buf (which must have room for 3 bytes a character); returns how many bytes. */
  encode(buf: Buffer): number {
    const s = this.text;
    if (this.cut0 < 0) return buf.write(s.slice(this.start, this.end), 0, 'utf8');
    let n = buf.write(s.slice(this.start, this.cut0), 0, 'utf8');
    if (this.cut2 >= 0) n += buf.write(s.slice(this.cut1, this.cut2), n, 'utf8');
    return n + buf.write(s.slice(this.cut2 >= 0 ? this.cut3 : this.cut1, this.end), n, 'utf8');
  }
}
