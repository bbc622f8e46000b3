// The fleet summary as data (`fleet summary --json`): every cluster's status, kinds, summary and
// per-node capacity, computed from the cache with the model. Read by the CLI and by tests that hold
// the console's figures to kubectl's.
import type { Store } from '../store/store.ts';
import { clusterInput } from '../store/queries.ts';
import { clusterView, nodeAccelerators, podsByNode } from '../model/index.ts';

/** `fleet summary --json`: {clusters: [{id, context, status, nodes: [{name, ready, resources}]}]} and more. */
export function summarize(store: Store, now: number) {
  return {
    generatedAt: now,
    clusters: store.clusters().map((c) => {
      const input = clusterInput(store, c.id, now, c.serverVersion ?? undefined);
      const view = clusterView(input);
      const byNode = podsByNode(input.pods ?? []);
      const storage = view.storage;
      return {
        id: c.id,
        context: c.context,
        file: c.file,
        status: c.status,
        message: c.message,
        serverVersion: c.serverVersion,
        lastContact: c.lastContact,
        // Never show stale data as live: the age of the newest contact with the cluster.
        dataAgeMs: c.lastContact ? now - c.lastContact : null,
        kinds: store.syncStates(c.id).map((k) => ({
          kind: k.kind,
          state: k.state,
          objects: k.objects,
          message: k.message,
          ...(k.listed_at ? { listedAt: k.listed_at } : {}),
        })),
        summary: view.summary,
        storageProblems: storage.problems,
        nodes: view.nodes.map((n) => {
          const node = (input.nodes ?? []).find((x) => x?.metadata?.name === n.name)!;
          return {
            name: n.name,
            ready: n.ready,
            health: { level: n.health.level, reasons: n.health.issues.map((i) => i.message) },
            resources: n.resources,
            accelerators: nodeAccelerators(node, byNode.get(n.name) ?? []),
          };
        }),
      };
    }),
  };
}
