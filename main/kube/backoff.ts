// One retry policy for everything that talks to a cluster: exponential backoff with jitter. A fleet
// that loses its network at once must not come back in lockstep (100 clusters x 26 kinds reconnecting
// in the same second), so every delay is drawn from [base/2, base] ("equal jitter": never shorter than
// half the nominal delay, spread over the other half).

export interface BackoffPolicy {
  /** the first delay's nominal value (ms) */
  minMs: number;
  /** the nominal delay stops growing here (ms) */
  maxMs: number;
}

/** The nominal delay before retry number `attempt` (1 = the first retry): min * 2^(attempt-1), capped. */
export function nominalDelay(policy: BackoffPolicy, attempt: number): number {
  const n = Math.max(1, Math.floor(attempt));
  return Math.min(policy.maxMs, policy.minMs * 2 ** Math.min(n - 1, 30));
}

/** The jittered delay before retry number `attempt`: uniform in [nominal/2, nominal]. */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const base = nominalDelay(policy, attempt);
  return base / 2 + random() * (base / 2);
}

/** Consecutive failures of one loop, and the delay each asks for. */
export class Backoff {
  private failures = 0;
  private readonly policy: BackoffPolicy;
  private readonly random: () => number;

  constructor(policy: BackoffPolicy, random: () => number = Math.random) {
    this.policy = policy;
    this.random = random;
  }

  /** Count a failure; the delay to wait before the next attempt. */
  fail(): number {
    this.failures++;
    return backoffDelay(this.policy, this.failures, this.random);
  }

  /** A success: the next failure starts from the first delay again. */
  reset(): void {
    this.failures = 0;
  }

  get attempts(): number {
    return this.failures;
  }
}
