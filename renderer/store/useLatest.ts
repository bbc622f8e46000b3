// Pull a view that moves under the user's hands (the timeline's window and filter): asked `delay` ms
// after the params last changed, the previous answer shown meanwhile (a zoom never flashes an empty
// timeline), answers to outdated params dropped, and asked again when a push says the fleet moved on,
// at most once per `refreshMs` (pushes come up to 4 a second; 100k marks are not re-read that often).
import { useEffect, useRef, useState } from 'react';
import type { Method, Params, Result } from '../../common/contract.ts';
import { getApi } from '../api/index.ts';
import { useApp } from './index.ts';

export interface Latest<M extends Method> {
  data: Result<M> | undefined;
  /** the params `data` answers (the window and filter it covers) */
  params: Params<M> | undefined;
  error: string | null;
  loading: boolean;
}

export function useLatest<M extends Method>(method: M, params: Params<M> | null, delay = 250, refreshMs = 5000): Latest<M> {
  const key = params === null ? null : JSON.stringify([method, params]);
  const pushed = useApp((s) => s.fleetVersion);
  // the fleet version this view was last read for: follows the pushes, throttled
  const [version, setVersion] = useState(pushed);
  const lastRead = useRef(0);
  useEffect(() => {
    if (pushed === version) return;
    const t = setTimeout(
      () => {
        lastRead.current = Date.now();
        setVersion(pushed);
      },
      Math.max(0, lastRead.current + refreshMs - Date.now()),
    );
    return () => clearTimeout(t);
  }, [pushed, version, refreshMs]);
  const [state, setState] = useState<Latest<M>>({ data: undefined, params: undefined, error: null, loading: params !== null });
  const latest = useRef(params);
  latest.current = params;
  useEffect(() => {
    if (key === null) return;
    let live = true;
    setState((s) => (s.loading ? s : { ...s, loading: true }));
    const p = latest.current as Params<M>;
    const t = setTimeout(() => {
      lastRead.current = Date.now();
      getApi()
        .call(method, p)
        .then(
          (data) => live && setState({ data, params: p, error: null, loading: false }),
          (e: Error) => live && setState((s) => ({ ...s, error: e.message, loading: false })),
        );
    }, delay);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [key, version, method, delay]);
  return state;
}
