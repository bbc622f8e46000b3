// Which run a progress push (ActionProgressEvent) belongs to, for the action panels of one page. A run's
// id comes with actions.run's answer, after its progress: until then a panel does not know its own id.
// The back end pushes progress only to the page that ran it, and every run pushes before it answers, so:
// a run id already answered is no one's now; one a panel has made its own is that panel's; a new id
// while exactly one panel's run is not identified yet is that panel's (the other runs of the page are
// identified or answered); with two or more unidentified, it is held until answers say whose it is.
// A panel closed before its answer keeps its claim (its run goes on): the next panel never adopts it.
import type { ActionProgressEvent, PushEvent } from '../../../common/contract.ts';
import { getApi } from '../../api/index.ts';

export interface RunClaim {
  /** the run's id, once known (its progress named it, or its answer did) */
  readonly run: number | null;
  /** actions.run answered with this run id */
  answered(run: number): void;
  /** actions.run failed: no run, or one that is over */
  failed(): void;
  /** stop delivering progress (the panel went away); the claim stays until the answer */
  detach(): void;
}

/** How many progress events are held for a run no panel has identified yet. */
const HELD_MAX = 1000;

export class RunOwners {
  private readonly claims = new Set<Claim>();
  /** run ids whose answer came: no progress after it */
  private readonly done = new Set<number>();
  private readonly held = new Map<number, ActionProgressEvent[]>();

  /** A panel starts actions.run; `deliver` gets its run's progress (held ones first, when its id is known). */
  begin(deliver: (e: ActionProgressEvent) => void): RunClaim {
    const c = new Claim(this, deliver);
    this.claims.add(c);
    return c;
  }

  /** A push of the page: progress goes to its run's panel, or is held until it is known whose it is. */
  push(e: PushEvent): void {
    if (e.type !== 'action' || this.done.has(e.run)) return;
    for (const c of this.claims)
      if (c.run === e.run) {
        c.deliver(e);
        return;
      }
    const unknown = [...this.claims].filter((c) => c.run === null);
    if (unknown.length === 1) {
      unknown[0]!.identify(e.run);
      unknown[0]!.deliver(e);
      return;
    }
    // no panel waits (another page's? an old one): or two or more: hold it
    if (!unknown.length) return;
    const list = this.held.get(e.run) ?? [];
    if (list.length < HELD_MAX) list.push(e);
    this.held.set(e.run, list);
  }

  /** @internal a claim learned its id: what was held for it is its own */
  identified(c: Claim, run: number): void {
    const list = this.held.get(run);
    this.held.delete(run);
    for (const e of list ?? []) c.deliver(e);
    this.settle();
  }

  /** @internal a claim is over */
  release(c: Claim, run: number | null): void {
    this.claims.delete(c);
    if (run !== null) {
      this.done.add(run);
      this.held.delete(run);
    }
    this.settle();
  }

  /** One panel left without its id: every run held is its own (the others' are known). */
  private settle(): void {
    const unknown = [...this.claims].filter((c) => c.run === null);
    if (unknown.length === 0) this.held.clear();
    if (unknown.length !== 1 || this.held.size !== 1) return;
    const [run] = this.held.keys();
    unknown[0]!.identify(run!);
  }
}

class Claim implements RunClaim {
  run: number | null = null;
  private target: ((e: ActionProgressEvent) => void) | null;
  private over = false;
  private readonly owners: RunOwners;
  constructor(owners: RunOwners, deliver: (e: ActionProgressEvent) => void) {
    this.owners = owners;
    this.target = deliver;
  }
  deliver(e: ActionProgressEvent): void {
    this.target?.(e);
  }
  identify(run: number): void {
    if (this.run !== null || this.over) return;
    this.run = run;
    this.owners.identified(this, run);
  }
  answered(run: number): void {
    if (this.over) return;
    this.identify(run);
    this.over = true;
    this.owners.release(this, run);
  }
  failed(): void {
    if (this.over) return;
    this.over = true;
    this.owners.release(this, this.run);
  }
  detach(): void {
    this.target = null;
  }
}

let pageOwners: RunOwners | undefined;

/** The page's owners of runs, fed by its pushes (from the first run on). */
export function runOwners(): RunOwners {
  if (pageOwners) return pageOwners;
  const o = new RunOwners();
  pageOwners = o;
  getApi().onPush((e) => o.push(e));
  return o;
}
