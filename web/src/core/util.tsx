import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from './api';
import { lang, t, type Key } from './i18n';

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

// What an action said, shown only when there is something to say: done (`ok`, a status read out
// by screen readers), refused or failed (`error`, an alert), or a note (`notice`, a status).
export function Notice({
  kind,
  testid,
  children,
}: {
  kind: 'ok' | 'error' | 'notice';
  testid?: string;
  children?: ComponentChildren;
}) {
  if (children === undefined || children === null || children === false || children === '') return null;
  return (
    <p class={kind} role={kind === 'error' ? 'alert' : 'status'} data-testid={testid}>
      {children}
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

// A table's cell as a CSV field: its text as shown, numbers without their thousands spaces, and a
// text that a spreadsheet would take for a formula (=, +, -, @) made plain text.
function csvField(cell: HTMLElement): string {
  let s = cell.innerText.replace(/\s+/g, ' ').trim();
  if (cell.classList.contains('n')) s = s.replace(/[\s\u00a0\u202f]/g, '');
  else if (/^[=+\-@]/.test(s)) s = "'" + s;
  return '"' + s.replace(/"/g, '""') + '"';
}

// The list a page shows, downloaded as a CSV file (UTF-8 with a BOM, so that Excel reads the
// Arabic): headings, rows and totals as they are on the screen, in the interface's language.
export function downloadTableCsv(testid: string, name: string) {
  const table = document.querySelector(`table[data-testid="${testid}"]`);
  if (!table) return;
  const lines: string[] = [];
  table.querySelectorAll(':scope > thead > tr, :scope > tbody > tr, :scope > tfoot > tr').forEach((tr) => {
    const fields: string[] = [];
    for (const cell of Array.from(tr.children) as HTMLTableCellElement[]) {
      fields.push(csvField(cell));
      for (let i = 1; i < (cell.colSpan || 1); i++) fields.push('""');
    }
    lines.push(fields.join(','));
  });
  const blob = new Blob(['\ufeff' + lines.join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name + '.csv';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

export function CsvButton({ table, name }: { table: string; name: string }) {
  return (
    <button type="button" class="link" data-testid={'csv-' + table} onClick={() => downloadTableCsv(table, name)}>
      {t('export_csv')}
    </button>
  );
}

// A column heading: a message key, [key, 'n'] for a column of numbers, or '' for one without.
export type Heading = Key | '' | [Key, 'n'];

// The lists' table: headings in the interface's language, the rows given as children; `stale`
// greys it while the next page loads.
export function ListTable({
  testid,
  headings,
  cls,
  stale,
  children,
}: {
  testid?: string;
  headings: Heading[];
  cls?: string;
  stale?: boolean;
  children: ComponentChildren;
}) {
  return (
    <div class={'table-wrap' + (stale ? ' stale' : '')}>
      <table class={'list' + (cls ? ' ' + cls : '')} data-testid={testid}>
        <thead>
          <tr>
            {headings.map((h) =>
              Array.isArray(h) ? <th class="n">{t(h[0])}</th> : h === '' ? <th /> : <th>{t(h)}</th>,
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

// The school year shown, among those of the registry.
export function YearPicker({ year, years, onChange }: { year: string; years: string[]; onChange: (year: string) => void }) {
  return (
    <label class="inline">
      {t('year')}
      <select value={year} onChange={(e) => onChange(e.currentTarget.value)}>
        {years.map((y) => (
          <option value={y}>{y}</option>
        ))}
      </select>
    </label>
  );
}
