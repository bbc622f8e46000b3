// exec.list / exec.approve / exec.revoke: the exec plugins (aws, gke-gcloud-auth-plugin, kubelogin...)
// the session's kubeconfigs would run, approved in the app as with `fleet approve`. What is listed is
// read from the files as they are now; an approval names the plugin by its key (a hash of the file,
// the command, its arguments and its environment variable names), so what the user approves is
// exactly what was shown: a kubeconfig edited meanwhile makes another key, which is refused. The
// sync worker reads the same approvals file and connects the clusters within seconds.
import { execRequest, type ExecRequest } from '../fleet/trust.ts';
import type { ContextEntry } from '../fleet/kubeconfig.ts';
import type { ViewContext } from './context.ts';
import { ContractError, type ExecListDTO, type ExecPluginDTO, type Params } from '../../common/contract.ts';

export class ExecApprovals {
  private readonly ctx: ViewContext;

  constructor(ctx: ViewContext) {
    this.ctx = ctx;
  }

  /** Why this session approves nothing (no kubeconfigs behind it), or null. */
  private refused(): string | null {
    const o = this.ctx.o;
    if (o.mode === 'snapshot') return 'this session shows a snapshot: exec plugins are approved in a live session';
    if (!o.connections) return 'this session shows the cache without syncing: exec plugins are approved in a live session';
    return null;
  }

  /** The session's entries (those its fleet syncs), read again from the files. */
  private entries(): ContextEntry[] {
    const all = this.ctx.o.connections!.allEntries(true);
    const synced = this.ctx.o.live?.statuses();
    if (!synced?.length) return all;
    const ids = new Set(synced.map((s) => s.id));
    return all.filter((e) => ids.has(e.id));
  }

  list(): ExecListDTO {
    const refused = this.refused();
    if (refused) return { plugins: [], refused };
    const trust = this.ctx.o.connections!.trust;
    const byKey = new Map<string, { req: ExecRequest; clusters: ExecPluginDTO['clusters'] }>();
    for (const e of this.entries()) {
      const req = execRequest(e);
      if (!req) continue;
      const got = byKey.get(req.key) ?? { req, clusters: [] };
      got.clusters.push({ id: e.id, context: e.context });
      byKey.set(req.key, got);
    }
    const approvals = new Map(trust.list().map((a) => [a.key, a]));
    const plugins: ExecPluginDTO[] = [...byKey.values()].map(({ req, clusters }) => dto(req, clusters, approvals.get(req.key)?.approvedAt));
    // approvals of plugins no kubeconfig names now: listed, so they can be revoked
    for (const a of approvals.values()) if (!byKey.has(a.key)) plugins.push(dto(a, [], a.approvedAt));
    // waiting for approval first, then by command and file
    plugins.sort((a, b) => Number(a.approved) - Number(b.approved) || a.command.localeCompare(b.command) || a.file.localeCompare(b.file));
    return { plugins };
  }

  approve(p: Params<'exec.approve'>): ExecPluginDTO {
    const refused = this.refused();
    if (refused) throw new ContractError(refused, 'forbidden');
    const found = this.list().plugins.find((x) => x.key === p.key && x.clusters.length);
    if (!found)
      throw new ContractError(
        'no exec plugin with this key in the kubeconfigs now: the file changed since it was shown (list the plugins again and review what would run)',
        'not-found',
      );
    const req: ExecRequest = { key: found.key, file: found.file, command: found.command, args: found.args, envNames: found.envNames };
    if (found.installHint) req.installHint = found.installHint;
    const a = this.ctx.o.connections!.trust.approve(req, this.ctx.now());
    this.ctx.o.log?.(`exec plugin approved in the app: ${[found.command, ...found.args].join(' ')} (${found.file})`);
    return { ...found, approved: true, approvedAt: a.approvedAt };
  }

  revoke(p: Params<'exec.revoke'>): { revoked: boolean } {
    const refused = this.refused();
    if (refused) throw new ContractError(refused, 'forbidden');
    const revoked = this.ctx.o.connections!.trust.revoke(p.key);
    if (revoked) this.ctx.o.log?.(`exec plugin approval revoked in the app (${p.key.slice(0, 12)})`);
    return { revoked };
  }
}

function dto(req: ExecRequest, clusters: ExecPluginDTO['clusters'], approvedAt: number | undefined): ExecPluginDTO {
  return {
    key: req.key,
    file: req.file,
    command: req.command,
    args: [...req.args],
    envNames: [...req.envNames],
    ...(req.installHint ? { installHint: req.installHint } : {}),
    approved: approvedAt !== undefined,
    ...(approvedAt !== undefined ? { approvedAt } : {}),
    clusters: clusters.sort((a, b) => a.context.localeCompare(b.context)),
  };
}
