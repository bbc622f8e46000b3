// Certificates of one lab cluster, generated at run time with openssl (no key is ever committed).
// Every cluster gets its own CA, so a console that mixes up CAs between clusters fails loudly.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export interface CertPair {
  cert: string;
  key: string;
}

export interface ClusterPki {
  dir: string;
  ca: CertPair;
  apiserver: CertPair;
  /** apiserver → kubelet (kwok) client identity */
  kubeletClient: CertPair;
  /** kwok's kubelet serving certificate (logs, exec) */
  kubeletServing: CertPair;
  admin: CertPair;
  controllerManager: CertPair;
  scheduler: CertPair;
  kwok: CertPair;
  /** service-account signing key pair */
  saKey: string;
  saPub: string;
}

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`openssl ${args[0]} failed: ${err.stderr?.toString() || err.message}`);
  }
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function leaf(dir: string, ca: CertPair, name: string, subj: string, ext: string[]): CertPair {
  const pair = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  openssl([
    'req',
    '-x509',
    ...EC,
    '-keyout',
    pair.key,
    '-out',
    pair.cert,
    '-days',
    '365',
    '-subj',
    subj,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-addext',
    'basicConstraints=critical,CA:FALSE',
    '-addext',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    ...ext.flatMap((e) => ['-addext', e]),
  ]);
  return pair;
}

const CLIENT = ['extendedKeyUsage=clientAuth'];

export function generateClusterPki(dir: string, clusterName: string): ClusterPki {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = { cert: join(dir, 'ca.crt'), key: join(dir, 'ca.key') };
  openssl([
    'req',
    '-x509',
    ...EC,
    '-keyout',
    ca.key,
    '-out',
    ca.cert,
    '-days',
    '3650',
    '-subj',
    `/CN=fleet-lab-${clusterName}-ca`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
  ]);
  const serverSan =
    'subjectAltName=DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,' +
    'DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:10.96.0.1';
  const pki: ClusterPki = {
    dir,
    ca,
    apiserver: leaf(dir, ca, 'apiserver', '/CN=kube-apiserver', [serverSan, 'extendedKeyUsage=serverAuth']),
    kubeletServing: leaf(dir, ca, 'kubelet-serving', '/CN=kwok-kubelet', [
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      'extendedKeyUsage=serverAuth',
    ]),
    kubeletClient: leaf(dir, ca, 'apiserver-kubelet-client', '/O=system:masters/CN=kube-apiserver-kubelet-client', CLIENT),
    admin: leaf(dir, ca, 'admin', '/O=system:masters/CN=lab-admin', CLIENT),
    // The lab runs the controllers with one identity each, in system:masters: with
    // --use-service-account-credentials=false the bootstrap roles would not cover every controller.
    controllerManager: leaf(dir, ca, 'controller-manager', '/O=system:masters/CN=system:kube-controller-manager', CLIENT),
    scheduler: leaf(dir, ca, 'scheduler', '/O=system:masters/CN=system:kube-scheduler', CLIENT),
    kwok: leaf(dir, ca, 'kwok', '/O=system:masters/CN=kwok-controller', CLIENT),
    saKey: join(dir, 'sa.key'),
    saPub: join(dir, 'sa.pub'),
  };
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', pki.saKey]);
  openssl(['pkey', '-in', pki.saKey, '-pubout', '-out', pki.saPub]);
  return pki;
}

export function b64file(path: string): string {
  if (!existsSync(path)) throw new Error(`missing ${path}`);
  return readFileSync(path).toString('base64');
}
