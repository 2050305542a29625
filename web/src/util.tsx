import { useEffect, useState } from 'preact/hooks';
import { ApiError } from './api';
import { lang, t } from './i18n';

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

// What went wrong, in words fit to show.
export function errorText(e: unknown): string {
  return e instanceof ApiError || e instanceof Error ? e.message : String(e);
}

// Previous and next over the pages of a list; nothing when there is one page.
export function Pager({ page, pages, go }: { page: number; pages: number; go: (page: number) => void }) {
  if (pages <= 1) return null;
  return (
    <div class="pager">
      <button type="button" disabled={page <= 1} onClick={() => go(page - 1)}>
        {t('previous')}
      </button>
      <span>{t('page_of', page, pages)}</span>
      <button type="button" disabled={page >= pages} onClick={() => go(page + 1)}>
        {t('next')}
      </button>
    </div>
  );
}

// The way back to a list, its arrow pointing the way the page reads.
export function BackLink({ href, text }: { href: string; text: string }) {
  return (
    <p>
      <a href={href}>
        {lang.get() === 'ar' ? '→' : '←'} {text}
      </a>
    </p>
  );
}
