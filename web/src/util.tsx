import { useEffect, useState } from 'preact/hooks';
import { ApiError } from './api';
import { t } from './i18n';

export interface Loaded<T> {
  data?: T;
  error?: ApiError | Error;
  loading: boolean;
  reload: () => void;
}

// Loads data when the dependencies change; keeps the previous data while loading.
export function useLoad<T>(fn: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    fn().then(
      (data) => live && setState({ data, loading: false }),
      (error) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, n]);
  return { ...state, reload: () => setN((x) => x + 1) };
}

export function Problem({ error }: { error?: Error }) {
  if (!error) return null;
  if (error instanceof ApiError && error.status === 404) return <p class="notice">{t('not_found')}</p>;
  return (
    <p class="error" role="alert">
      {t('error')}: {error.message}
    </p>
  );
}

export function Spinner({ on }: { on: boolean }) {
  return on ? (
    <p class="loading" aria-live="polite">
      {t('loading')}
    </p>
  ) : null;
}
