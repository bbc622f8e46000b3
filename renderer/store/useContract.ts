// Pull one view from the back end; re-read when a push says it may have moved on (versions.ts: any push,
// its cluster's, or never) and keep showing the previous data meanwhile, so live updates never flash an
// empty page.
import { useEffect, useRef, useState } from 'react';
import type { Method, Params, Result } from '../../common/contract.ts';
import { getApi } from '../api/index.ts';
import { useApp } from './index.ts';
import { readVersion, type Refresh } from './versions.ts';

export interface Loaded<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
}

export function useContract<M extends Method>(
  method: M,
  params: Params<M> | null,
  cluster?: string,
  refresh: Refresh = 'fleet',
): Loaded<Result<M>> {
  const key = params === null ? null : JSON.stringify([method, params]);
  // (`reread` is in it too: an action was just taken, the view is read again without waiting for the push)
  const version = useApp((s) => readVersion(s, cluster, refresh));
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
