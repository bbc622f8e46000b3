// Poll until a condition holds (integration tests and e2e specs; lives here because every test project references the lab).
import { setTimeout as sleep } from 'node:timers/promises';

/** Poll fn until it returns something truthy, or fail with what was awaited (and the last error). */
export async function until<T>(
  what: string,
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 60_000,
  stepMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (${(last as Error).message})` : ''}`);
    await sleep(stepMs);
  }
}
