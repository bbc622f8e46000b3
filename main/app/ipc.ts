// IPC registration: one channel per contract method (`fleet:<method>`), each handler checks who sent it
// (the app's own page, in the main frame of our window) and validates its arguments against the
// contract's schemas before the service sees them; the service answers them as validated, without
// parsing them again. Answers are {ok:false, code, error}, never a throw across the boundary. Written
// against interfaces (no electron import) so the tests drive it with fakes.
import { BRIDGE_FUNCTIONS, channelOf, type Answer, type Method } from '../../common/contract.ts';
import { parseRequest } from '../../common/schemas.ts';
import { APP_ORIGIN, originOf } from './security.ts';

export interface ServiceLike {
  /** answer a request parseRequest has validated (ViewService.answer), for this caller (its pushes go to it) */
  answer(method: Method, params: unknown, caller?: string): Promise<Answer<unknown>>;
}

/** The caller a window's requests are answered for: its log streams and action runs are its own (and stop with its page). */
export function callerOf(webContentsId: number | undefined): string {
  return `window:${webContentsId ?? 0}`;
}

/** The parts of Electron's IpcMainInvokeEvent the checks read. */
export interface SenderInfo {
  /** event.sender.id: the webContents that sent the message */
  senderId?: number;
  /** event.senderFrame: null once the frame has navigated away or was destroyed */
  senderFrame: { url: string; parent: unknown } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: SenderInfo, ...args: unknown[]) => Promise<Answer<unknown>>): void;
  removeHandler(channel: string): void;
}

export interface IpcPolicy {
  /** the origin the app's page is served from (app://fleet) */
  origin?: string;
  /** the id of our window's webContents, when one exists: messages from any other are refused */
  webContentsId?: () => number | undefined;
}

export const METHODS = Object.keys(BRIDGE_FUNCTIONS) as Method[];

/** Why a sender is refused, or null when it is the app's own page. */
export function senderProblem(sender: SenderInfo, policy: IpcPolicy = {}): string | null {
  const origin = policy.origin ?? APP_ORIGIN;
  const frame = sender.senderFrame;
  if (!frame) return 'the sending frame is gone';
  if (frame.parent) return `a subframe (${frame.url || 'no URL'}) may not call the back end`;
  const from = originOf(frame.url);
  if (from !== origin) return `the page ${JSON.stringify(frame.url)} is not the app (${origin})`;
  const expected = policy.webContentsId?.();
  if (expected !== undefined && sender.senderId !== expected) return `webContents ${sender.senderId ?? '?'} is not the app window`;
  return null;
}

/**
 * The handler of one method's channel: sender check, then argument validation (exactly one argument,
 * the method's params), then the service. `service` is read per call: the back end is replaced when a
 * snapshot is opened.
 */
export function makeHandler(
  method: Method,
  service: () => ServiceLike | undefined,
  policy: IpcPolicy = {},
): (sender: SenderInfo, args: unknown[]) => Promise<Answer<unknown>> {
  const channel = channelOf(method);
  return async (sender, args) => {
    const problem = senderProblem(sender, policy);
    if (problem) return { ok: false, code: 'forbidden', error: `${channel} refused: ${problem}` };
    if (args.length > 1) return { ok: false, code: 'invalid', error: `${channel} takes one argument (the params), got ${args.length}` };
    const req = parseRequest(method, args[0]);
    if (!req.ok) return { ok: false, code: 'invalid', error: req.error };
    const s = service();
    if (!s) return { ok: false, code: 'internal', error: `${channel}: the back end is restarting; try again in a moment` };
    try {
      return await s.answer(req.method, req.params, callerOf(sender.senderId));
    } catch (e) {
      // ViewService.answer never throws; anything else that does must not cross the boundary as a throw.
      return { ok: false, code: 'internal', error: `${channel}: ${(e as Error).message}` };
    }
  };
}

/** Register every method's channel; returns the function that removes them. */
export function registerIpc(ipc: IpcMainLike, service: () => ServiceLike | undefined, policy: IpcPolicy = {}): () => void {
  for (const m of METHODS) {
    const h = makeHandler(m, service, policy);
    ipc.handle(channelOf(m), (event, ...args) => h(event, args));
  }
  return () => {
    for (const m of METHODS) ipc.removeHandler(channelOf(m));
  };
}
