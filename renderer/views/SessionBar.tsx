// The header's second row: what the session shows and when. The snapshot banner (snapshot mode), the
// "as of" time control (whenever there is recorded history), and the session's actions: compare,
// capture a snapshot, export an incident bundle, open a snapshot or bundle file, back to the live fleet.
import { Suspense, lazy, useEffect, useId, useRef, useState } from 'react';
import type { FleetDTO } from '../../common/contract.ts';
import { useApp } from '../store/index.ts';
import { go } from '../store/route.ts';
import { openSession } from '../store/session.ts';
import { HOUR, MINUTE, clampAt, formatClock, formatDateTime, sliderValue, stepAt, windowText, type HistoryRange } from '../store/time.ts';
import { safeName } from '../map/text.ts';
import { TextField } from '../components/forms.tsx';

const CaptureDialog = lazy(() => import('./CaptureDialog.tsx').then((m) => ({ default: m.CaptureDialog })));
const BundleDialog = lazy(() => import('./BundleDialog.tsx').then((m) => ({ default: m.BundleDialog })));

/** Slider moves are sent this long after the last one. */
const SLIDE_DEBOUNCE_MS = 150;

type Msg = { tone: 'error' | 'info'; text: string } | null;

export function SessionBar() {
  const fleet = useApp((s) => s.fleet);
  const at = useApp((s) => s.at);
  const [dialog, setDialog] = useState<'capture' | 'bundle' | null>(null);
  const [msg, setMsg] = useState<Msg>(null);
  const [opening, setOpening] = useState(false);
  const mode = fleet?.mode;

  const open = async (p: Parameters<typeof openSession>[0]) => {
    setMsg(null);
    setOpening(true);
    try {
      const what = await openSession(p);
      setMsg({ tone: 'info', text: `Opening ${what}… the console reloads.` });
    } catch (e) {
      setMsg({ tone: 'error', text: (e as Error).message });
      setOpening(false);
    }
  };

  return (
    <>
      <div className="sessionbar" role="region" aria-label="Session">
        {fleet?.snapshot && mode === 'snapshot' && <SnapshotBanner snap={fleet.snapshot} />}
        {mode === 'snapshot' && (
          <>
            <button type="button" data-testid="back-to-live" disabled={opening} onClick={() => void open({ target: 'live' })}>
              Back to live fleet
            </button>
            <button type="button" data-testid="diff-compare-cache" onClick={() => go({ view: 'diff', from: '@this', to: '@cache' })}>
              Compare with live cache
            </button>
          </>
        )}
        {fleet && (fleet.history || at !== null) && <AsOfControl history={fleet.history} mode={fleet.mode} />}
        <div className="spacer" />
        {fleet && <CompareFile mode={fleet.mode} />}
        {fleet && mode !== 'snapshot' && (
          <button type="button" data-testid="capture-open" aria-haspopup="dialog" onClick={() => setDialog('capture')}>
            Capture snapshot…
          </button>
        )}
        {fleet && (
          <button type="button" data-testid="bundle-open" aria-haspopup="dialog" onClick={() => setDialog('bundle')}>
            Export incident bundle…
          </button>
        )}
        <OpenFile disabled={opening} onOpen={(path) => void open({ target: 'file', path })} />
      </div>
      {msg && (
        <p
          className={`notice ${msg.tone} session-msg`}
          role={msg.tone === 'error' ? 'alert' : 'status'}
          data-testid={msg.tone === 'error' ? 'session-error' : 'session-opening'}
        >
          {msg.text}{' '}
          <button type="button" className="linkish" onClick={() => setMsg(null)} aria-label="Dismiss">
            ×
          </button>
        </p>
      )}
      <Suspense fallback={null}>
        {dialog === 'capture' && <CaptureDialog onClose={() => setDialog(null)} />}
        {dialog === 'bundle' && <BundleDialog onClose={() => setDialog(null)} />}
      </Suspense>
    </>
  );
}

function SnapshotBanner({ snap }: { snap: NonNullable<FleetDTO['snapshot']> }) {
  return (
    <p
      className="snapshot-banner"
      data-testid="snapshot-banner"
      data-redacted={snap.redacted || undefined}
      title={`${safeName(snap.file)}: ${snap.objects} objects, ${snap.changes} changes, captured by fleet console ${snap.app}`}
    >
      <span className="badge mode-snapshot">read-only</span>
      <span>
        Snapshot of <time dateTime={new Date(snap.capturedAt).toISOString()}>{formatDateTime(snap.capturedAt, false)}</time> ·{' '}
        {snap.clusters} cluster{snap.clusters === 1 ? '' : 's'} · history from {windowText(snap.window)}
        {snap.redacted && (
          <>
            {' · '}
            <strong className="redacted">redacted</strong>
          </>
        )}
      </span>
      <bdi className="muted small ellipsis snap-file">{safeName(snap.file, 60)}</bdi>
    </p>
  );
}

/** "As of": a slider over the recorded history, steps of 5 minutes, and back to the latest. */
function AsOfControl({ history, mode }: { history: HistoryRange | null; mode: FleetDTO['mode'] }) {
  const at = useApp((s) => s.at);
  const now = useApp((s) => s.now);
  const id = useId();
  // A slider move not yet sent (undefined: none).
  const [draft, setDraft] = useState<number | null | undefined>(undefined);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const shown = draft !== undefined ? draft : at;
  const commit = (v: number | null) => {
    clearTimeout(timer.current);
    timer.current = undefined;
    setDraft(undefined);
    useApp.getState().setAt(v);
  };
  const slide = (v: number | null) => {
    setDraft(v);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => commit(v), SLIDE_DEBOUNCE_MS);
  };
  const latestText = mode === 'snapshot' ? 'Latest (as captured)' : mode === 'cache' ? 'Latest (cache)' : 'Latest (live)';
  const label = shown === null ? latestText : formatDateTime(shown);

  return (
    <div className={`asof-ctl ${shown === null ? 'is-latest' : 'is-past'}`} role="group" aria-labelledby={`${id}-l`}>
      <label id={`${id}-l`} htmlFor={`${id}-s`} className="asof-title">
        As of
      </label>
      {history && history.to > history.from && (
        <span className="muted small asof-end" aria-hidden="true">
          {formatClock(history.from, now)}
        </span>
      )}
      {history && history.to > history.from && (
        <input
          id={`${id}-s`}
          type="range"
          min={history.from}
          max={history.to}
          step={1}
          value={sliderValue(shown, history)}
          aria-valuetext={label}
          data-testid="asof-slider"
          onChange={(e) => slide(clampAt(Number(e.target.value), history))}
          onKeyDown={(e) => {
            // Native steps would be 1 ms: a minute per arrow, an hour per page, Home/End the ends.
            const d: Record<string, number> = {
              ArrowLeft: -MINUTE,
              ArrowDown: -MINUTE,
              ArrowRight: MINUTE,
              ArrowUp: MINUTE,
              PageDown: -HOUR,
              PageUp: HOUR,
            };
            if (e.key in d) slide(stepAt(shown, d[e.key]! * (e.shiftKey ? 10 : 1), history));
            else if (e.key === 'Home') slide(clampAt(history.from, history));
            else if (e.key === 'End') slide(null);
            else return;
            e.preventDefault();
          }}
        />
      )}
      {history && history.to > history.from && (
        <span className="muted small asof-end" aria-hidden="true">
          {formatClock(history.to, now)}
        </span>
      )}
      <output htmlFor={`${id}-s`} className="asof-label" data-testid="asof-label" data-at={shown ?? undefined} aria-live="polite">
        {label}
      </output>
      {history && (
        <>
          <button
            type="button"
            data-testid="asof-back"
            aria-label="5 minutes earlier"
            onClick={() => commit(stepAt(shown, -5 * MINUTE, history))}
            disabled={shown !== null && shown <= history.from}
          >
            −5 min
          </button>
          <button
            type="button"
            data-testid="asof-forward"
            aria-label="5 minutes later"
            onClick={() => commit(stepAt(shown, 5 * MINUTE, history))}
            disabled={shown === null}
          >
            +5 min
          </button>
        </>
      )}
      <button type="button" data-testid="asof-latest" onClick={() => commit(null)} disabled={shown === null}>
        Latest
      </button>
    </div>
  );
}

/** A small popover: compare with another snapshot file (snapshot mode: it → this; otherwise: it → the cache). */
function CompareFile({ mode }: { mode: FleetDTO['mode'] }) {
  const [open, setOpen] = useState(false);
  const [path, setPath] = useState('');
  const id = useId();
  const box = useRef<HTMLDivElement>(null);
  const to = mode === 'snapshot' ? '@this' : '@cache';
  useEffect(() => {
    if (!open) return;
    const away = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', away);
    return () => document.removeEventListener('mousedown', away);
  }, [open]);
  return (
    <div
      className="popover-host"
      ref={box}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.preventDefault();
          e.stopPropagation();
          setOpen(false);
          box.current?.querySelector<HTMLButtonElement>('button')?.focus();
        }
      }}
    >
      <button
        type="button"
        aria-expanded={open}
        aria-controls={`${id}-pop`}
        data-testid="diff-file-open"
        onClick={() => setOpen((x) => !x)}
      >
        Compare with a file…
      </button>
      {open && (
        <form
          id={`${id}-pop`}
          className="popover"
          onSubmit={(e) => {
            e.preventDefault();
            setOpen(false);
            go({ view: 'diff', from: path.trim(), to });
          }}
        >
          <TextField
            id={`${id}-path`}
            label={`Compare another snapshot file with ${mode === 'snapshot' ? 'this snapshot' : 'the live cache'}`}
            autoFocus
            value={path}
            onChange={setPath}
            placeholder="/absolute/path/to/other.fleetsnap"
            testid="diff-file-input"
          />
          <button type="submit" disabled={!path.trim()} data-testid="diff-file-submit">
            Compare
          </button>
        </form>
      )}
    </div>
  );
}

/** Open a snapshot or bundle file instead of what is shown (the page reloads). */
function OpenFile({ disabled, onOpen }: { disabled: boolean; onOpen(path: string): void }) {
  const [path, setPath] = useState('');
  const id = useId();
  return (
    <form
      className="open-file"
      onSubmit={(e) => {
        e.preventDefault();
        if (path.trim()) onOpen(path.trim());
      }}
    >
      <TextField
        id={`${id}-open`}
        label="Open snapshot or bundle… (absolute path)"
        labelClassName="sr-only"
        value={path}
        onChange={setPath}
        placeholder="Open snapshot or bundle… (path)"
        testid="open-file-input"
      />
      <button type="submit" disabled={disabled || !path.trim()} data-testid="open-file-submit">
        Open
      </button>
    </form>
  );
}
