import { useState } from 'preact/hooks';
import { api, type Schema } from '../api';
import { date, t } from '../i18n';
import { CsvButton, Problem, Spinner, useLoad, ListTable } from '../util';

export type Entry = Schema<'AuditEntry'>;

// One entry's detail: a before → after table when the entry has both, the text otherwise.
function Detail({ d }: { d: unknown }) {
  if (d && typeof d === 'object' && 'after' in (d as object)) {
    const before = ((d as any).before ?? {}) as Record<string, unknown>;
    const after = ((d as any).after ?? {}) as Record<string, unknown>;
    const keys = Object.keys(after).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    return (
      <table class="diff">
        <tbody>
          {keys.map((k) => (
            <tr>
              <th>{k}</th>
              <td class="before">{before[k] === undefined ? '—' : String(before[k])}</td>
              <td>→</td>
              <td class="after">{String(after[k])}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  return <span class="code">{typeof d === 'string' ? d : JSON.stringify(d)}</span>;
}

export function AuditTable({ entries }: { entries: Entry[] }) {
  if (entries.length === 0) return <p class="notice">{t('no_entries')}</p>;
  return (
    <>
    <p class="actions">
      <CsvButton table="audit" name="audit" />
    </p>
    <ListTable testid="audit" headings={['at', 'actor', 'origin', 'action', 'subject', 'detail']}>
    {entries.map((e) => (
      <tr>
        <td class="code">{date(e.at)}</td>
        <td>{e.actor}</td>
        <td class="code">{e.origin}</td>
        <td>{e.action}</td>
        <td>{e.subject}</td>
        <td>
          <Detail d={e.detail} />
        </td>
      </tr>
    ))}
    </ListTable>
    </>
  );
}

export function AuditPage() {
  const [subject, setSubject] = useState('');
  const r = useLoad(() => api.get('/audit', { query: { subject, limit: 200 } }), [subject]);
  return (
    <section>
      <h1>{t('nav_audit')}</h1>
      <label class="inline">
        {t('filter_subject')}
        <input value={subject} onChange={(e) => setSubject(e.currentTarget.value)} />
      </label>
      <Spinner on={r.loading && !r.data} />
      <Problem error={r.error} />
      {r.data && <AuditTable entries={r.data} />}
    </section>
  );
}
