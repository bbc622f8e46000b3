// Exact parsing of Kubernetes resource.Quantity strings.
//
// Follows k8s.io/apimachinery/pkg/api/resource (quantity.go ParseQuantity / parseQuantityString and
// suffix.go): <quantity> ::= <signedNumber><suffix>, suffix ∈ binary SI (Ki Mi Gi Ti Pi Ei), decimal SI
// (n u m "" k M G T P E) or a decimal exponent (e|E followed by a signed integer).
//
// WHY BigInt: "132120576Ki" is 135 291 469 824 bytes and "1.5Gi" is 1 610 612 736; going through
// floating point on the way ("1.5" * 2**30, "0.1" * 1000) produces off-by-one bytes and millicores
// that then disagree with `kubectl describe node`. ParseQuantity rounds every non-zero value UP (away
// from zero) to nano precision ("if you want some resources, you should get some resources"), so a
// quantity is exactly an integer number of nanounits: we keep it as a BigInt of nanos and only turn
// it into a JS number at the very end.
//
// Deliberate deviations from ParseQuantity, all on input no real object carries:
//  - a string without any digit ("Ki", "m", ".", "-") is invalid here; Kubernetes' fast path reads it as 0.
//  - exponents beyond ±1000 and strings longer than 256 characters are invalid here (Kubernetes accepts
//    int32 exponents; exact arithmetic on 10^2000000000 would be unbounded work).
//  - Kubernetes caps binary-SI values at 2^63-1; we keep the exact value.

import { formatBytes as formatBytesText, formatCpu as formatCpuText } from '../../common/format.ts';

const NANO_DIGITS = 9;
const NANOS_PER_UNIT = 1_000_000_000n;
const NANOS_PER_MILLI = 1_000_000n;
const MAX_LEN = 256;
const MAX_EXP = 1000;

/** Decimal SI suffix → power of ten (suffix.go newSuffixer: decimal SI table). */
const DECIMAL_SUFFIX: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

/** Binary SI suffix → power of two (suffix.go: binary SI table). */
const BINARY_SUFFIX: Readonly<Record<string, number>> = {
  Ki: 10,
  Mi: 20,
  Gi: 30,
  Ti: 40,
  Pi: 50,
  Ei: 60,
};

// sign, integer digits, optional "." and fraction digits, suffix (validated separately).
// "1." is accepted, as in parseQuantityString ("we currently allow 1.G").
const NUMBER_RE = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(.*)$/s;
const EXPONENT_RE = /^[eE]([+-]?[0-9]+)$/;

/** Divide rounding away from zero (ParseQuantity's inf.RoundUp / MilliValue's ceil on the magnitude). */
function divAway(n: bigint, d: bigint): bigint {
  const q = n / d;
  return q * d === n ? q : n < 0n ? q - 1n : q + 1n;
}

/**
 * The exact value of a quantity in nanounits (1e-9 of the base unit), or undefined when the input
 * is not a valid quantity. JSON numbers are accepted like Quantity.UnmarshalJSON does.
 */
export function parseQuantityNanos(q: unknown): bigint | undefined {
  let s: string;
  if (typeof q === 'number') {
    if (!Number.isFinite(q)) return undefined;
    s = String(q); // shortest round-trip form, e.g. 0.1 → "0.1", 1e21 → "1e+21"
  } else if (typeof q === 'string') {
    s = q;
  } else {
    return undefined;
  }
  if (s.length === 0 || s.length > MAX_LEN) return undefined;
  const m = NUMBER_RE.exec(s);
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1n : 1n;
  const intDigits = m[2] ?? '';
  const fracDigits = m[3] ?? '';
  const suffix = m[4] ?? '';
  if (intDigits.length + fracDigits.length === 0) return undefined;

  let pow10 = 0;
  let pow2 = 0;
  if (Object.hasOwn(DECIMAL_SUFFIX, suffix)) {
    pow10 = DECIMAL_SUFFIX[suffix] ?? 0;
  } else if (Object.hasOwn(BINARY_SUFFIX, suffix)) {
    pow2 = BINARY_SUFFIX[suffix] ?? 0;
  } else {
    const e = EXPONENT_RE.exec(suffix);
    if (!e) return undefined;
    const exp = Number(e[1]);
    if (!Number.isSafeInteger(exp) || Math.abs(exp) > MAX_EXP) return undefined;
    pow10 = exp;
  }

  // value = digits × 10^(pow10 - fracLen) × 2^pow2; in nanos: × 10^(pow10 - fracLen + 9).
  const digits = BigInt(intDigits + fracDigits);
  let nanos = digits << BigInt(pow2);
  const shift = pow10 - fracDigits.length + NANO_DIGITS;
  if (shift >= 0) {
    nanos *= 10n ** BigInt(shift);
  } else if (nanos !== 0n) {
    // Below nano precision: ParseQuantity rounds non-zero values up to the next nano.
    const mag = nanos.toString().length;
    nanos = -shift > mag ? 1n : divAway(nanos, 10n ** BigInt(-shift));
  }
  return sign * nanos;
}

/** Exact nanos → the nearest JS number of base units. */
export function nanosToNumber(nanos: bigint): number {
  if (nanos % NANOS_PER_UNIT === 0n) return Number(nanos / NANOS_PER_UNIT);
  // A decimal string is exact and parseFloat rounds it correctly (no double rounding).
  const neg = nanos < 0n;
  const abs = (neg ? -nanos : nanos).toString().padStart(NANO_DIGITS + 1, '0');
  const text = `${neg ? '-' : ''}${abs.slice(0, -NANO_DIGITS)}.${abs.slice(-NANO_DIGITS)}`;
  return Number.parseFloat(text);
}

/** Nanos → integer millis, rounded away from zero like Quantity.MilliValue (ScaledValue(Milli)). */
export function nanosToMillis(nanos: bigint): number {
  return Number(divAway(nanos, NANOS_PER_MILLI));
}

/** Nanos → integer base units, rounded away from zero like Quantity.Value(). */
export function nanosToUnits(nanos: bigint): number {
  return Number(divAway(nanos, NANOS_PER_UNIT));
}

export function isValidQuantity(q: unknown): boolean {
  return parseQuantityNanos(q) !== undefined;
}

/** Value in base units ("1.5Gi" → 1610612736, "100m" → 0.1); NaN for anything that is not a quantity. */
export function parseQuantity(q: unknown): number {
  const n = parseQuantityNanos(q);
  return n === undefined ? Number.NaN : nanosToNumber(n);
}

/** Quantity.MilliValue(): ceil(q × 1000) as an integer ("1" → 1000, "0.0001" → 1); NaN when invalid. */
export function milliValue(q: unknown): number {
  const n = parseQuantityNanos(q);
  return n === undefined ? Number.NaN : nanosToMillis(n);
}

/**
 * The number the console shows for a resource: millicores for "cpu" (what the scheduler and
 * `kubectl describe node` compare, MilliValue), base units rounded up to an integer for everything
 * else (Quantity.Value(): bytes for memory, ephemeral-storage and hugepages-*, a count for pods and
 * extended resources such as nvidia.com/gpu). NaN when invalid.
 */
export function resourceValue(name: string, q: unknown): number {
  const n = parseQuantityNanos(q);
  if (n === undefined) return Number.NaN;
  return nanosFor(name, n);
}

/** Converts exact nanos of resource `name` into the console's unit (see resourceValue). */
export function nanosFor(name: string, nanos: bigint): number {
  return name === 'cpu' ? nanosToMillis(nanos) : nanosToUnits(nanos);
}

// The model's human renderings are common/format.ts's, with the options its messages and the CLI use:
// three cpu decimals, an em dash for what cannot be shown.

/** Millicores for humans: 250 → "250m", 2000 → "2", 31750 → "31.75", 1234 → "1.234". */
export function formatCpu(millis: number): string {
  return formatCpuText(millis, { decimals: 3, missing: '—' });
}

/** Bytes for humans in binary units: 1610612736 → "1.5 GiB", 512 → "512 B". */
export function formatBytes(bytes: number): string {
  return formatBytesText(bytes, { missing: '—' });
}
