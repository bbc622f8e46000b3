// A deliberately small Kubernetes REST client for the lab's own use (seeding, chaos, tests).
// The console has its own client stack; the lab must not depend on it, so that the lab can test it.
import { Agent, request } from 'node:https';
import { readFileSync } from 'node:fs';

export interface KubeCredentials {
  server: string;
  ca: string;
  cert?: string;
  key?: string;
  token?: string;
  /** TLS server name to verify (an alias of a fleet cluster names the real server) */
  servername?: string;
}

export class KubeError extends Error {
  readonly code: number;
  readonly reason: string;
  constructor(code: number, reason: string, message: string) {
    super(message);
    this.code = code;
    this.reason = reason;
  }
}

/** apiVersion/kind → REST path pieces, for the kinds the lab writes. */
const KINDS: Record<string, { plural: string; namespaced: boolean }> = {
  'v1/Namespace': { plural: 'namespaces', namespaced: false },
  'v1/Node': { plural: 'nodes', namespaced: false },
  'v1/Pod': { plural: 'pods', namespaced: true },
  'v1/Service': { plural: 'services', namespaced: true },
  'v1/ConfigMap': { plural: 'configmaps', namespaced: true },
  'v1/Secret': { plural: 'secrets', namespaced: true },
  'v1/Event': { plural: 'events', namespaced: true },
  'v1/ServiceAccount': { plural: 'serviceaccounts', namespaced: true },
  'v1/PersistentVolume': { plural: 'persistentvolumes', namespaced: false },
  'v1/PersistentVolumeClaim': { plural: 'persistentvolumeclaims', namespaced: true },
  'apps/v1/Deployment': { plural: 'deployments', namespaced: true },
  'apps/v1/StatefulSet': { plural: 'statefulsets', namespaced: true },
  'apps/v1/DaemonSet': { plural: 'daemonsets', namespaced: true },
  'apps/v1/ReplicaSet': { plural: 'replicasets', namespaced: true },
  'batch/v1/Job': { plural: 'jobs', namespaced: true },
  'batch/v1/CronJob': { plural: 'cronjobs', namespaced: true },
  'storage.k8s.io/v1/StorageClass': { plural: 'storageclasses', namespaced: false },
  'storage.k8s.io/v1/CSIDriver': { plural: 'csidrivers', namespaced: false },
  'storage.k8s.io/v1/CSINode': { plural: 'csinodes', namespaced: false },
  'storage.k8s.io/v1/CSIStorageCapacity': { plural: 'csistoragecapacities', namespaced: true },
  'storage.k8s.io/v1/VolumeAttachment': { plural: 'volumeattachments', namespaced: false },
  'resource.k8s.io/v1/DeviceClass': { plural: 'deviceclasses', namespaced: false },
  'resource.k8s.io/v1/ResourceSlice': { plural: 'resourceslices', namespaced: false },
  'resource.k8s.io/v1/ResourceClaim': { plural: 'resourceclaims', namespaced: true },
  'resource.k8s.io/v1/ResourceClaimTemplate': { plural: 'resourceclaimtemplates', namespaced: true },
  'rbac.authorization.k8s.io/v1/ClusterRole': { plural: 'clusterroles', namespaced: false },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': { plural: 'clusterrolebindings', namespaced: false },
  'rbac.authorization.k8s.io/v1/Role': { plural: 'roles', namespaced: true },
  'rbac.authorization.k8s.io/v1/RoleBinding': { plural: 'rolebindings', namespaced: true },
  'apiextensions.k8s.io/v1/CustomResourceDefinition': { plural: 'customresourcedefinitions', namespaced: false },
  'snapshot.storage.k8s.io/v1/VolumeSnapshot': { plural: 'volumesnapshots', namespaced: true },
  'snapshot.storage.k8s.io/v1/VolumeSnapshotContent': { plural: 'volumesnapshotcontents', namespaced: false },
  'snapshot.storage.k8s.io/v1/VolumeSnapshotClass': { plural: 'volumesnapshotclasses', namespaced: false },
  'scheduling.k8s.io/v1/PriorityClass': { plural: 'priorityclasses', namespaced: false },
};

// Object shapes are open-ended JSON; the lab builds them as plain data.

export type KObj = Record<string, any>;

export function collectionPath(apiVersion: string, kind: string, namespace?: string): string {
  const k = KINDS[`${apiVersion}/${kind}`];
  if (!k) throw new Error(`lab client: unknown kind ${apiVersion}/${kind}`);
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  if (k.namespaced) {
    if (!namespace) throw new Error(`${kind} needs a namespace`);
    return `${base}/namespaces/${encodeURIComponent(namespace)}/${k.plural}`;
  }
  return `${base}/${k.plural}`;
}

export function objectPath(obj: KObj): string {
  return `${collectionPath(obj.apiVersion, obj.kind, obj.metadata?.namespace)}/${encodeURIComponent(obj.metadata.name)}`;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KObj;
}

export class KubeClient {
  readonly server: string;
  private readonly agent: Agent;
  private readonly token: string | undefined;

  constructor(creds: KubeCredentials, maxSockets = 16) {
    this.server = creds.server.replace(/\/$/, '');
    this.token = creds.token;
    const opts: ConstructorParameters<typeof Agent>[0] = {
      keepAlive: true,
      maxSockets,
      ca: readFileSync(creds.ca),
    };
    if (creds.servername) opts.servername = creds.servername;
    if (creds.cert && creds.key) {
      opts.cert = readFileSync(creds.cert);
      opts.key = readFileSync(creds.key);
    }
    this.agent = new Agent(opts);
  }

  close(): void {
    this.agent.destroy();
  }

  private headers(contentType?: string): Record<string, string> {
    // The API server names a write's field manager after the client (managedFields): the lab's own
    // changes then say who made them, as kubectl's do.
    const h: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'fleet-lab/1.0' };
    if (contentType) h['Content-Type'] = contentType;
    if (this.token) h.Authorization = `Bearer ${this.token}`;
    return h;
  }

  /** One request; rejects with KubeError on a non-2xx answer. */
  request(method: string, path: string, body?: unknown, contentType = 'application/json', timeoutMs = 60_000): Promise<KObj> {
    const url = new URL(this.server + path);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        { method, agent: this.agent, headers: this.headers(payload ? contentType : undefined), timeout: timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: KObj = {};
            try {
              parsed = text ? (JSON.parse(text) as KObj) : {};
            } catch {
              parsed = { message: text };
            }
            const code = res.statusCode ?? 0;
            if (code >= 200 && code < 300) resolve(parsed);
            else reject(new KubeError(code, String(parsed.reason ?? ''), `${method} ${path}: ${code} ${parsed.message ?? text}`));
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on('error', reject);
      if (payload) req.end(payload);
      else req.end();
    });
  }

  get(path: string): Promise<KObj> {
    return this.request('GET', path);
  }

  async getOrNull(path: string): Promise<KObj | null> {
    try {
      return await this.get(path);
    } catch (e) {
      if (e instanceof KubeError && e.code === 404) return null;
      throw e;
    }
  }

  /** LIST every page. */
  async listAll(path: string, query: Record<string, string> = {}): Promise<{ items: KObj[]; resourceVersion: string }> {
    const items: KObj[] = [];
    let cont = '';
    let rv = '';
    do {
      const q = new URLSearchParams({ ...query, limit: '500' });
      if (cont) q.set('continue', cont);
      const page = await this.get(`${path}?${q}`);
      items.push(...(page.items as KObj[]));
      cont = page.metadata?.continue ?? '';
      rv = page.metadata?.resourceVersion ?? rv;
    } while (cont);
    return { items, resourceVersion: rv };
  }

  create(obj: KObj): Promise<KObj> {
    return this.request('POST', collectionPath(obj.apiVersion, obj.kind, obj.metadata?.namespace), obj);
  }

  /** Server-side apply: idempotent create-or-update, the lab owns the fields it sets. */
  apply(obj: KObj, subresource = ''): Promise<KObj> {
    const sub = subresource ? `/${subresource}` : '';
    return this.request('PATCH', `${objectPath(obj)}${sub}?fieldManager=fleet-lab&force=true`, obj, 'application/apply-patch+yaml');
  }

  mergePatch(path: string, patch: unknown): Promise<KObj> {
    return this.request('PATCH', path, patch, 'application/merge-patch+json');
  }

  async delete(path: string): Promise<void> {
    try {
      await this.request('DELETE', path);
    } catch (e) {
      if (!(e instanceof KubeError && e.code === 404)) throw e;
    }
  }

  /**
   * WATCH from a resourceVersion. Calls onEvent for each event; resolves when the stream ends
   * (returns the HTTP status: a 410 can arrive either as the status or as an ERROR event).
   */
  watch(
    path: string,
    resourceVersion: string,
    onEvent: (ev: WatchEvent) => void,
    opts: { timeoutSeconds?: number; bookmarks?: boolean; signal?: AbortSignal } = {},
  ): Promise<number> {
    const q = new URLSearchParams({ watch: '1', resourceVersion });
    if (opts.bookmarks) q.set('allowWatchBookmarks', 'true');
    q.set('timeoutSeconds', String(opts.timeoutSeconds ?? 30));
    const url = new URL(`${this.server}${path}?${q}`);
    return new Promise((resolve, reject) => {
      const req = request(url, { method: 'GET', agent: this.agent, headers: this.headers(), signal: opts.signal }, (res) => {
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (!line) continue;
            try {
              onEvent(JSON.parse(line) as WatchEvent);
            } catch {
              /* a non-JSON line: ignore */
            }
          }
        });
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          if (code !== 200 && buf.trim()) {
            try {
              onEvent({ type: 'ERROR', object: JSON.parse(buf) as KObj });
            } catch {
              /* ignore */
            }
          }
          resolve(code);
        });
        res.on('error', reject);
      });
      req.on('error', (e) => (opts.signal?.aborted ? resolve(0) : reject(e)));
      req.end();
    });
  }
}

/** Retry an async call while it fails with a transient error (apiserver starting, conflicts, 5xx). */
export async function retry<T>(fn: () => Promise<T>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = 100;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      const code = e instanceof KubeError ? e.code : 0;
      const transient =
        !(e instanceof KubeError) ||
        code === 409 ||
        code === 429 ||
        code >= 500 ||
        // a namespace's default ServiceAccount is created asynchronously by the controller-manager
        /serviceaccount .* not found|not found.*serviceaccount/i.test((e as Error).message) ||
        // an API group (CRDs, resource.k8s.io) is still being registered
        (code === 404 && /the server could not find the requested resource|404 page not found/i.test((e as Error).message));
      if (!transient || Date.now() > deadline) {
        throw new Error(`${what}: ${(e as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 2000);
    }
  }
}

/** Run fn over items with at most `limit` in flight. */
export async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (i < items.length) {
      const item = items[i++] as T;
      await fn(item);
    }
  });
  await Promise.all(workers);
}
