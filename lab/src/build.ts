// Builds the lab's binaries from the pinned Go modules and caches them outside the repository,
// keyed by the pins (go.mod/go.sum of both modules, the Go version and the link flags).
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, copyFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, labRoot } from './paths.ts';
import { withDirLock } from './proc.ts';

export const BINARIES = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'kwok', 'etcd'] as const;
export type BinaryName = (typeof BINARIES)[number];
export type BinPaths = Record<BinaryName, string> & { dir: string; kwokStages: string; kubernetesVersion: string };

const K8S_PACKAGES = [
  'k8s.io/kubernetes/cmd/kube-apiserver',
  'k8s.io/kubernetes/cmd/kube-controller-manager',
  'k8s.io/kubernetes/cmd/kube-scheduler',
  'k8s.io/kubernetes/cmd/kubectl',
  'sigs.k8s.io/kwok/cmd/kwok',
];

/** The Kubernetes version pinned in lab/go.mod (e.g. v1.37.1). */
export function pinnedKubernetesVersion(): string {
  const mod = readFileSync(join(labRoot, 'go.mod'), 'utf8');
  const m = /^\s*k8s\.io\/kubernetes (v[0-9][^\s]*)/m.exec(mod);
  if (!m?.[1]) throw new Error('lab/go.mod does not pin k8s.io/kubernetes');
  return m[1];
}

function ldflags(version: string): string {
  // Kubernetes stamps its version at link time (hack/lib/version.sh); without it the apiserver
  // reports v0.0.0-master and clients cannot reason about version skew.
  const [major, minor] = version.replace(/^v/, '').split('.');
  const vars: Record<string, string> = {
    gitVersion: version,
    gitMajor: major ?? '',
    gitMinor: minor ?? '',
    gitTreeState: 'clean',
  };
  const x = Object.entries(vars).flatMap(([k, v]) => [
    `-X k8s.io/component-base/version.${k}=${v}`,
    `-X k8s.io/client-go/pkg/version.${k}=${v}`,
  ]);
  return ['-s', '-w', ...x].join(' ');
}

function goVersion(): string {
  try {
    return execFileSync('go', ['version'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('the lab needs Go (https://go.dev/dl) on PATH to build Kubernetes from the module proxy');
  }
}

export function buildKey(): string {
  const h = createHash('sha256');
  for (const f of ['go.mod', 'go.sum', 'etcd/go.mod', 'etcd/go.sum']) h.update(f).update(readFileSync(join(labRoot, f)));
  h.update(goVersion()).update(ldflags(pinnedKubernetesVersion())).update(K8S_PACKAGES.join(',')).update('v2');
  return h.digest('hex').slice(0, 16);
}

function paths(dir: string): BinPaths {
  const out = { dir, kwokStages: join(dir, 'kwok-stages'), kubernetesVersion: pinnedKubernetesVersion() } as BinPaths;
  for (const b of BINARIES) out[b] = join(dir, b);
  return out;
}

function complete(dir: string): boolean {
  return existsSync(join(dir, '.complete'));
}

/** Paths of the cached binaries, or undefined when they are not built for the current pins. */
export function cachedBinaries(): BinPaths | undefined {
  const dir = join(cacheDir(), 'bin', buildKey());
  return complete(dir) ? paths(dir) : undefined;
}

function run(cmd: string, args: string[], cwd: string, log: (s: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    // GOTOOLCHAIN=local: never try to download another Go toolchain (no internet beyond the proxy).
    const child = spawn(cmd, args, { cwd, env: { ...process.env, GOTOOLCHAIN: 'local' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stdout.on('data', (d: Buffer) => log(d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      log(d.toString());
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.slice(0, 2).join(' ')} failed (${code}):\n${err.slice(-4000)}`)),
    );
  });
}

/** Copy kwok's default stages from its (pinned) module, so stage behaviour matches the binary. */
function copyKwokStages(dest: string): void {
  const dir = execFileSync('go', ['list', '-m', '-f', '{{.Dir}}', 'sigs.k8s.io/kwok'], {
    cwd: labRoot,
    encoding: 'utf8',
    env: { ...process.env, GOTOOLCHAIN: 'local' },
  }).trim();
  mkdirSync(dest, { recursive: true });
  for (const sub of ['node/fast', 'node/heartbeat-with-lease', 'pod/fast']) {
    const src = join(dir, 'kustomize', 'stage', sub);
    for (const f of readdirSync(src)) {
      if (f.endsWith('.yaml') && f !== 'kustomization.yaml' && statSync(join(src, f)).isFile()) {
        copyFileSync(join(src, f), join(dest, f));
      }
    }
  }
}

/**
 * Build (or reuse) every binary. Concurrent callers wait for one build.
 * `log` receives go's output; the returned figure is the wall time of the build (0 when cached).
 */
export async function ensureBinaries(log: (s: string) => void = () => {}): Promise<BinPaths & { builtMs: number }> {
  const cached = cachedBinaries();
  if (cached) return { ...cached, builtMs: 0 };
  const key = buildKey();
  const root = join(cacheDir(), 'bin');
  return withDirLock(join(root, `.lock-${key}`), async () => {
    const again = cachedBinaries();
    if (again) return { ...again, builtMs: 0 };
    const t0 = Date.now();
    const tmp = join(root, `.tmp-${key}-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    const version = pinnedKubernetesVersion();
    log(`building Kubernetes ${version} components, kwok and etcd into ${join(root, key)} (a cold build takes a while)\n`);
    await run('go', ['build', '-trimpath', `-ldflags=${ldflags(version)}`, '-o', tmp + '/', ...K8S_PACKAGES], labRoot, log);
    await run(
      'go',
      ['build', '-trimpath', '-ldflags=-s -w', '-o', join(tmp, 'etcd'), 'go.etcd.io/etcd/server/v3'],
      join(labRoot, 'etcd'),
      log,
    );
    copyKwokStages(join(tmp, 'kwok-stages'));
    writeFileSync(join(tmp, '.complete'), JSON.stringify({ version, builtAt: new Date().toISOString(), ms: Date.now() - t0 }));
    const dest = join(root, key);
    rmSync(dest, { recursive: true, force: true });
    renameSync(tmp, dest);
    return { ...paths(dest), builtMs: Date.now() - t0 };
  });
}
