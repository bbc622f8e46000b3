// cluster-labels.json in the data folder (beside sync-settings.json): the user's own labels of each
// cluster (key=value) and the favourites. Never in the cache, so a snapshot or a bundle carries none
// of it; read by the back end of both shells. A damaged file never stops the console: no labels.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { LABEL_KEY, LABEL_VALUE } from '../../common/labels.ts';

export const CLUSTER_LABELS_FILE = 'cluster-labels.json';

export function clusterLabelsPath(dataDir: string): string {
  return join(dataDir, CLUSTER_LABELS_FILE);
}

const labels = z.record(z.string().max(317).regex(LABEL_KEY), z.string().max(63).regex(LABEL_VALUE));

const schema = z.object({
  version: z.literal(1),
  /** cluster id → its labels and whether it is a favourite */
  clusters: z.record(z.string().min(1).max(512), z.object({ labels, favourite: z.boolean().optional() })),
});

export type ClusterLabels = z.infer<typeof schema>;

export const emptyClusterLabels = (): ClusterLabels => ({ version: 1, clusters: {} });

export function loadClusterLabels(file: string): { labels: ClusterLabels; warning?: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { labels: emptyClusterLabels() };
    return { labels: emptyClusterLabels(), warning: `cannot read ${file}: ${(e as Error).message}; no cluster labels` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { labels: emptyClusterLabels(), warning: `${file} is not JSON (${(e as Error).message}); no cluster labels` };
  }
  const r = schema.safeParse(json);
  if (!r.success) return { labels: emptyClusterLabels(), warning: `${file} is not valid; no cluster labels` };
  return { labels: r.data };
}

/** Written to a temporary file and renamed over the old one; clusters with nothing left are dropped. */
export function saveClusterLabels(file: string, l: ClusterLabels): void {
  mkdirSync(dirname(file), { recursive: true });
  const clean: ClusterLabels = { version: 1, clusters: {} };
  for (const id of Object.keys(l.clusters).sort()) {
    const c = l.clusters[id]!;
    const keys = Object.keys(c.labels).sort();
    if (!keys.length && !c.favourite) continue;
    clean.clusters[id] = { labels: Object.fromEntries(keys.map((k) => [k, c.labels[k]!])), ...(c.favourite ? { favourite: true } : {}) };
  }
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(schema.parse(clean), null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/** Labels set on (and keys removed from) these clusters; the others as they were. */
export function withLabels(
  l: ClusterLabels,
  ids: readonly string[],
  set: Record<string, string> = {},
  remove: readonly string[] = [],
): ClusterLabels {
  const clusters = { ...l.clusters };
  for (const id of ids) {
    const c = clusters[id] ?? { labels: {} };
    const next = { ...c.labels };
    for (const k of remove) delete next[k];
    Object.assign(next, set);
    clusters[id] = { ...c, labels: next };
  }
  return { ...l, clusters };
}

export function withFavourite(l: ClusterLabels, ids: readonly string[], on: boolean): ClusterLabels {
  const clusters = { ...l.clusters };
  for (const id of ids) {
    const c = clusters[id] ?? { labels: {} };
    const { favourite: _, ...rest } = c;
    clusters[id] = on ? { ...rest, favourite: true } : rest;
  }
  return { ...l, clusters };
}
