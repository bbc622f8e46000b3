// When a pulled view is read again (useContract): the version its answer is for, from the pushed
// versions. Pure, so which pushes re-read which view is tested without a page.

/**
 * - 'fleet' (the default): on every push (the fleet version moves with any cluster), and after an action;
 * - 'cluster': only when its own cluster's version moves (a push names it), and after an action: views
 *   of one cluster's history (what changed before a problem) that other clusters' pushes cannot change;
 * - 'never': its answer never changes (one recorded change and its diff): read when its params change only.
 */
export type Refresh = 'fleet' | 'cluster' | 'never';

export interface PushedVersions {
  versions: Record<string, number>;
  fleetVersion: number;
  /** moves when the views should re-read now (an action was taken) */
  reread: number;
}

/** The version a view's answer is for: it is read again when this string changes. */
export function readVersion(s: PushedVersions, cluster: string | undefined, refresh: Refresh = 'fleet'): string {
  if (refresh === 'never') return '';
  if (refresh === 'cluster' && cluster) return `${s.versions[cluster] ?? 0}:${s.reread}`;
  // Status changes arrive as pushes too, so the cluster's version covers them; the fleet version is the fallback.
  return `${cluster ? `${s.versions[cluster] ?? 0}:` : ''}${s.fleetVersion}:${s.reread}`;
}
