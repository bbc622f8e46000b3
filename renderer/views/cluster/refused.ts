// What a cluster panel showing some kinds must say of them: not permitted, or listed only in some namespaces.
import type { ClusterDTO } from '../../../common/contract.ts';

export const refusedOf = (d: ClusterDTO, kinds: string[]) => ({
  forbidden: d.tile.forbiddenKinds.filter((k) => kinds.includes(k)),
  partial: d.tile.partialKinds.filter((p) => kinds.includes(p.kind)),
});
