// Where the console keeps its data when it runs outside Electron (CLI, web shell). Matches Electron's
// app.getPath('userData') for the app name, so the CLI and the desktop app share approvals and cache.
import { homedir, platform } from 'node:os';
import { join, resolve } from 'node:path';

export const APP_NAME = 'fleet-console';

export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FLEET_DATA_DIR) return resolve(env.FLEET_DATA_DIR);
  const home = homedir();
  switch (platform()) {
    case 'darwin':
      return join(home, 'Library', 'Application Support', APP_NAME);
    case 'win32':
      return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), APP_NAME);
    default:
      return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), APP_NAME);
  }
}
