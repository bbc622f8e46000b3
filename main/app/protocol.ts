// The app:// scheme: registered as privileged (standard, secure) before the app is ready, then served
// from the built renderer by app-protocol.ts. The renderer never loads from file:// or from a server.
import { protocol, type Session } from 'electron';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES } from './security.ts';
import { appProtocolHandler } from './app-protocol.ts';

/** Before app 'ready'. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { ...APP_SCHEME_PRIVILEGES } }]);
}

/** After app 'ready': serve build/renderer on app://fleet/ in this session. */
export function serveApp(session: Session, rendererDir: string, log: (line: string) => void): void {
  session.protocol.handle(APP_SCHEME, appProtocolHandler(rendererDir, log));
}
