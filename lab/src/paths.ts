// Where the lab keeps things outside the repository.
import { homedir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The lab/ folder of this checkout (holds go.mod and the exec-credential script). */
export const labRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Cache for built binaries, keyed by pins: ~/.cache/fleetconsole/lab (or $FLEET_LAB_CACHE). */
export function cacheDir(): string {
  if (process.env.FLEET_LAB_CACHE) return resolve(process.env.FLEET_LAB_CACHE);
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'fleetconsole', 'lab');
}

/** Default state folder of the CLI's lab: ~/.local/state/fleetconsole/lab (or $FLEET_LAB_DIR). */
export function defaultLabDir(): string {
  if (process.env.FLEET_LAB_DIR) return resolve(process.env.FLEET_LAB_DIR);
  const base = process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'fleetconsole', 'lab');
}
