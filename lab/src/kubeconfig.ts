// Kubeconfig files the lab writes for its users and its own components.
import { writeFileSync, chmodSync } from 'node:fs';
import { stringify } from 'yaml';
import { b64file } from './pki.ts';

export interface KubeconfigUser {
  name: string;
  // client-certificate(-data), token, exec... exactly as in a kubeconfig's users[].user
  user: Record<string, unknown>;
}

export interface KubeconfigEntry {
  context: string;
  cluster: string;
  server: string;
  caFile: string;
  user: KubeconfigUser;
  /** tls-server-name: the name the server's certificate is checked against (fleet aliases) */
  tlsServerName?: string;
}

export function kubeconfigDoc(entries: KubeconfigEntry[], current?: string): Record<string, unknown> {
  const clusters = new Map<string, unknown>();
  const users = new Map<string, unknown>();
  for (const e of entries) {
    const cluster: Record<string, string> = { server: e.server, 'certificate-authority-data': b64file(e.caFile) };
    if (e.tlsServerName) cluster['tls-server-name'] = e.tlsServerName;
    clusters.set(e.cluster, { name: e.cluster, cluster });
    users.set(e.user.name, { name: e.user.name, user: e.user.user });
  }
  return {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    'current-context': current ?? entries[0]?.context ?? '',
    clusters: [...clusters.values()],
    users: [...users.values()],
    contexts: entries.map((e) => ({ name: e.context, context: { cluster: e.cluster, user: e.user.name } })),
  };
}

export function writeKubeconfig(path: string, entries: KubeconfigEntry[], current?: string): string {
  writeFileSync(path, stringify(kubeconfigDoc(entries, current), { lineWidth: 0 }), { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

export function certUser(name: string, cert: string, key: string): KubeconfigUser {
  return { name, user: { 'client-certificate-data': b64file(cert), 'client-key-data': b64file(key) } };
}
