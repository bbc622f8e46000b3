// The app's version, from its package.json: found by walking up from this module (the source tree,
// the bundled build/app/main.js, or the packaged app.asar all have it above them).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function appVersion(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      try {
        const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'fleet-console' && pkg.version) return (cached = pkg.version);
      } catch {
        // not ours, keep looking
      }
    }
    dir = dirname(dir);
  }
  return (cached = '0.0.0-unknown');
}
