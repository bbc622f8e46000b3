// Pull one view from the back end; re-read when its cluster's version moves (a push) and keep showing
// the previous data meanwhile, so live updates never flash an empty page.
import { useEffect, useRef, useState } from 'react';
import type { Method, Params, Result } from '../../common/contract.ts';
import { getApi } from '../api/index.ts';
import { useApp } from './index.ts';

export interface Loaded<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
}

export function useContract<M extends Method>(method: M, params: Params<M> | null, cluster?: string): Loaded<Result<M>> {
  const key = params === null ? null : JSON.stringify([method, params]);
  // Status changes arrive as pushes too, so the cluster's version covers them; the fleet version is the fallback.
  // (and `reread`: an action was just taken, the view is read again without waiting for the push)
  const version = useApp((s) => (cluster ? (s.versions[cluster] ?? 0) + ':' + s.fleetVersion : s.fleetVersion) + ':' + s.reread);
  const [state, setState] = useState<Loaded<Result<M>>>({ data: undefined, error: null, loading: true });
  const lastKey = useRef<string | null>(null);
  useEffect(() => {
    if (key === null) return;
    let live = true;
    const sameView = lastKey.current === key;
    lastKey.current = key;
    setState((s) => (sameView ? { ...s, loading: true } : { data: undefined, error: null, loading: true }));
    getApi()
      .call(method, params as Params<M>)
      .then(
        (data) => live && setState({ data, error: null, loading: false }),
        (e: Error) => live && setState((s) => ({ data: sameView ? s.data : undefined, error: e.message, loading: false })),
      );
    return () => {
      live = false;
    };
  }, [key, version]);
  return state;
}
