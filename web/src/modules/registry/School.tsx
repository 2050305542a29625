import { useEffect, useState } from 'preact/hooks';
import { api, exportUrl } from '../../core/api';
import { date, label, lang, num, pick, t, terms } from '../../core/i18n';
import { Pager, Problem, Spinner, useLoad, ListTable } from '../../core/util';
import { Changes } from '../../core/pages/Changes';
import { nodeHref } from './Territory';

export function SchoolPage({ code }: { code: string }) {
  const school = useLoad(() => api.get('/schools/{code}', { path: { code } }), [code]);
  const where = useLoad(() => api.get('/territory', { query: { node: code } }), [code]);
  const [typed, setTyped] = useState('');
  const [f, setF] = useState({ q: '', year: '', level: '', class: '', sex: '', status: '', page: 1 });
  // Searching as one types, a moment after the last key.
  useEffect(() => {
    const id = setTimeout(() => setF((x) => (x.q === typed ? x : { ...x, q: typed, page: 1 })), 300);
    return () => clearTimeout(id);
  }, [typed]);
  const list = useLoad(
    () => api.get('/schools/{code}/pupils', { path: { code }, query: { ...f, page_size: 50 } }),
    [code, JSON.stringify(f)],
  );
  const s = school.data;
  const p = list.data;
  const set = (k: string, v: string) => setF((x) => ({ ...x, [k]: v, page: 1, ...(k === 'level' ? { class: '' } : {}) }));
  const pages = p ? Math.max(1, Math.ceil(p.total / p.page_size)) : 1;
  return (
    <section>
      <Problem error={school.error} />
      <Spinner on={school.loading && !s} />
      {s && (
        <>
          <nav class="crumbs" aria-label="breadcrumb">
            {(where.data?.path ?? []).map((n) => (
              <>
                <a href={nodeHref(n)}>{pick(n.name_ar, n.name_fr)}</a>
                <span class="sep">›</span>
              </>
            ))}
            <span>{pick(s.name_ar, s.name_fr)}</span>
          </nav>
          <div class="page-head">
            <div>
              <p class="kind">{t('kind_school')}</p>
              <h1 data-testid="school-name">{pick(s.name_ar, s.name_fr)}</h1>
              <p class="muted">
                <span class="code">{s.code}</span> · {s.cycles.map((c) => label('cycle', c)).join('، ')} · {label('milieu', s.milieu)} ·{' '}
                {label('sector', s.sector)}
                {s.boarding_beds > 0 && ` · ${t('boarding_beds')}: ${num(s.boarding_beds)}`}
                {s.canteen && ` · ${t('canteen')}`}
              </p>
            </div>
          </div>
          <form
            class="filters"
            role="search"
            onSubmit={(e) => {
              e.preventDefault();
              setF((x) => ({ ...x, q: typed, page: 1 }));
            }}
          >
            <label class="grow">
              {t('search')}
              <input
                type="search"
                name="q"
                value={typed}
                placeholder={t('search_hint')}
                onInput={(e) => setTyped(e.currentTarget.value)}
              />
            </label>
            <label>
              {t('year')}
              <select name="year" value={p?.year ?? ''} onChange={(e) => set('year', e.currentTarget.value)}>
                {(p?.years ?? []).map((y) => (
                  <option value={y}>{y}</option>
                ))}
              </select>
            </label>
            <label>
              {t('level')}
              <select name="level" value={f.level} onChange={(e) => set('level', e.currentTarget.value)}>
                <option value="">{t('all')}</option>
                {(p?.levels ?? []).map((l) => (
                  <option value={l}>{label('level', l)}</option>
                ))}
              </select>
            </label>
            <label>
              {t('class')}
              <select name="class" value={f.class} onChange={(e) => set('class', e.currentTarget.value)}>
                <option value="">{t('all')}</option>
                {(p?.classes ?? []).map((c) => (
                  <option value={c}>{c}</option>
                ))}
              </select>
            </label>
            <label>
              {t('sex')}
              <select name="sex" value={f.sex} onChange={(e) => set('sex', e.currentTarget.value)}>
                <option value="">{t('all')}</option>
                {terms('sex').map((x) => (
                  <option value={x.code}>{x[lang.get()]}</option>
                ))}
              </select>
            </label>
            <label>
              {t('status')}
              <select name="status" value={f.status} onChange={(e) => set('status', e.currentTarget.value)}>
                <option value="">{t('all')}</option>
                {terms('status').map((x) => (
                  <option value={x.code}>{x[lang.get()]}</option>
                ))}
              </select>
            </label>
            <button type="submit">{t('search')}</button>
          </form>
          <Problem error={list.error} />
          {p && (
            <>
              <div class="list-head">
                <p aria-live="polite">
                  {t('results')}: <strong data-testid="total">{num(p.total)}</strong>
                </p>
                <p class="actions">
                  <a href={exportUrl('pupils', { scope: s.code, year: p.year, format: 'xlsx', lang: lang.get() })}>{t('export_xlsx')}</a>
                  <a href={exportUrl('pupils', { scope: s.code, year: p.year, format: 'csv', lang: lang.get() })}>{t('export_csv')}</a>
                </p>
              </div>
              {p.items.length === 0 ? (
                <p class="notice">{t('no_results')}</p>
              ) : (
                <ListTable testid="pupils" stale={list.loading} headings={['massar', 'name', 'sex', 'birth_date', 'level', 'class', 'status']}>
                {p.items.map((x) => (
                  <tr>
                    <td class="code">{x.massar}</td>
                    <td>
                      <a href={'#/pupil/' + encodeURIComponent(x.massar)}>
                        {pick(`${x.first_ar} ${x.last_ar}`, x.first_fr ? `${x.first_fr} ${x.last_fr}` : '')}
                      </a>
                      <div class="alt" lang={lang.get() === 'ar' ? 'fr' : 'ar'}>
                        {lang.get() === 'ar' ? (x.first_fr ? `${x.first_fr} ${x.last_fr}` : '') : `${x.first_ar} ${x.last_ar}`}
                      </div>
                    </td>
                    <td>{label('sex', x.sex)}</td>
                    <td class="code">{date(x.birth_date)}</td>
                    <td>{label('level', x.level)}</td>
                    <td>{x.class}</td>
                    <td>{label('status', x.status)}</td>
                  </tr>
                ))}
                </ListTable>
              )}
              <Pager page={p.page} pages={pages} go={(page) => setF((x) => ({ ...x, page }))} />
            </>
          )}
          <Changes of="school" code={code} />
        </>
      )}
    </section>
  );
}
