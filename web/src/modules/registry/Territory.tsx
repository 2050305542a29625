import { useState } from 'preact/hooks';
import { api, exportUrl, type Principal } from '../../core/api';
import { num, pick, t, type Key } from '../../core/i18n';
import { CsvButton, Problem, Spinner, useLoad, YearPicker } from '../../core/util';

const childKind: Record<string, string> = { nation: 'region', region: 'directorate', directorate: 'commune', commune: 'school' };

export function nodeHref(n: { kind: string; code: string }) {
  return n.kind === 'school' ? '#/school/' + encodeURIComponent(n.code) : '#/t/' + encodeURIComponent(n.code || 'MA');
}

export function Territory({ me, node }: { me: Principal; node?: string }) {
  const [year, setYear] = useState('');
  const v = useLoad(() => api.get('/territory', { query: { node, year } }), [node, year]);
  const d = v.data;
  if (d && d.node.kind === 'school') {
    location.replace('#/school/' + encodeURIComponent(d.node.code));
    return null;
  }
  const scope = d ? d.node.code || 'MA' : '';
  const ck = d ? childKind[d.node.kind] : '';
  return (
    <section>
      <Spinner on={v.loading && !d} />
      <Problem error={v.error} />
      {d && (
        <>
          <nav class="crumbs" aria-label="breadcrumb">
            {d.path.map((p) => (
              <>
                <a href={nodeHref(p)}>{pick(p.name_ar, p.name_fr)}</a>
                <span class="sep">›</span>
              </>
            ))}
            <span>{pick(d.node.name_ar, d.node.name_fr)}</span>
          </nav>
          <div class="page-head">
            <div>
              <p class="kind">{t(('kind_' + d.node.kind) as Key)}</p>
              <h1>{pick(d.node.name_ar, d.node.name_fr)}</h1>
            </div>
            <YearPicker year={d.year} years={d.years} onChange={setYear} />
          </div>
          <div class="stats">
            <div>
              <strong>{num(d.node.schools)}</strong>
              <span>{t('schools')}</span>
            </div>
            <div>
              <strong>{num(d.node.pupils)}</strong>
              <span>{t('pupils')}</span>
            </div>
          </div>
          {me.actions.includes('export_data') && (
            <p class="actions">
              {t('export')}: <a href={exportUrl('schools', { scope, format: 'xlsx', lang: document.documentElement.lang })}>{t('schools')} (Excel)</a>
              <a href={exportUrl('pupils', { scope, year: d.year, format: 'xlsx', lang: document.documentElement.lang })}>{t('pupils')} (Excel)</a>
              <a href={exportUrl('pupils', { scope, year: d.year, format: 'csv', lang: document.documentElement.lang })}>{t('pupils')} (CSV)</a>
            </p>
          )}
          <h2>{t(('children_' + ck) as Key)}</h2>
          <p class="actions">
            <CsvButton table="children" name={`${d.node.code || 'MA'}-${d.year}`} />
          </p>
          <div class="table-wrap">
            <table class="list" data-testid="children">
              <thead>
                <tr>
                  <th>{t('name')}</th>
                  <th>{t('code')}</th>
                  <th class="n">{t('schools')}</th>
                  <th class="n">{t('pupils')}</th>
                </tr>
              </thead>
              <tbody>
                {d.children.map((c) => (
                  <tr>
                    <td>
                      <a href={nodeHref(c)}>{pick(c.name_ar, c.name_fr)}</a>
                    </td>
                    <td class="code">{c.code}</td>
                    <td class="n">{num(c.schools)}</td>
                    <td class="n">{num(c.pupils)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <td colSpan={2}>{t('total')}</td>
                  <td class="n">{num(d.node.schools)}</td>
                  <td class="n">{num(d.node.pupils)}</td>
                </tr>
              </tfoot>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
