// The statistics dashboard: a territory's indicators (value, parts, trend, target and progress,
// reported state, what the planning directorate sent back), the children ranked by the chosen
// indicator with the best and the worst, charts labelled in the interface's language, every
// figure one click from the pupils behind it; exports to XLSX (server) and PNG (the charts).
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { api, ApiError, href, type Answer, type Principal } from '../../core/api';
import { date, label, lang, num, pick, t, type Key } from '../../core/i18n';
import { Pager, Problem, Spinner, useLoad, ListTable, Notice, YearPicker } from '../../core/util';
import { confirmFirst } from '../../core/forms';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Tooltip, Legend);

type Dashboard = Answer<'/stats/nodes/{node}'>;
type Indicator = Dashboard['indicators'][number];

export function statsHref(code: string, extra = ''): string {
  return '#/stats/' + encodeURIComponent(code || 'MA') + extra;
}

function pupilsHref(node: string, ind: string, year: string, dim = '', value = '', den = false): string {
  return '#/stats-pupils/' + [node || 'MA', ind, year, dim || '-', value || '-', den ? 'den' : 'num'].map(encodeURIComponent).join('/');
}

function dimLabel(dim: string, value: string): string {
  if (!dim) return t('total');
  const kind = dim === 'sex' ? 'sex' : dim === 'milieu' ? 'milieu' : dim === 'level' ? 'level' : 'cycle';
  return label(kind, value);
}

function fmtValue(ind: Indicator, v: number | null): string {
  if (v === null || v === undefined) return t('no_value');
  if (ind.unit === '%') return v.toFixed(1) + ' %';
  if (ind.unit === 'ratio') return v.toFixed(2);
  return num(Math.round(v));
}

// A chart on a canvas, rebuilt when its configuration changes; `onReady` gets the chart for PNG.
function ChartBox({ config, onReady, label: aria }: { config: ChartConfiguration; onReady?: (c: Chart) => void; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const chart = new Chart(ref.current, config);
    onReady?.(chart);
    return () => chart.destroy();
  }, [JSON.stringify(config.data), lang.get()]);
  return (
    <div class="chart">
      <canvas ref={ref} role="img" aria-label={aria} />
    </div>
  );
}

function savePng(chart: Chart | undefined, name: string) {
  if (!chart) return;
  const a = document.createElement('a');
  a.href = chart.toBase64Image('image/png', 1);
  a.download = name + '.png';
  document.body.appendChild(a);
  a.click();
  a.remove();
}

const rtl = () => lang.get() === 'ar';

function barConfig(labels: string[], values: (number | null)[], colors: string[], title: string): ChartConfiguration {
  return {
    type: 'bar',
    data: { labels, datasets: [{ label: title, data: values as number[], backgroundColor: colors }] },
    options: {
      indexAxis: 'y',
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { display: false, rtl: rtl() }, tooltip: { rtl: rtl() } },
      scales: { x: { reverse: rtl(), beginAtZero: true }, y: { position: rtl() ? 'right' : 'left', ticks: { autoSkip: false } } },
    },
  };
}

export function StatsPage({ me, node }: { me: Principal; node?: string }) {
  const [year, setYear] = useState('');
  const [chosen, setChosen] = useState('PUPILS');
  const [of, setOf] = useState<'children' | 'schools'>('children');
  const [msg, setMsg] = useState('');
  const code = node || (me.scope.kind === 'nation' ? 'MA' : me.scope.code);
  const v = useLoad(() => api.get('/stats/nodes/{node}', { path: { node: code }, query: { year } }), [code, year]);
  const d = v.data;
  const ind = d?.indicators.find((i) => i.code === chosen) ?? d?.indicators[0];
  const showRank = d && d.node.kind !== 'school';
  const r = useLoad(
    () =>
      showRank && ind
        ? api.get('/stats/nodes/{node}/rank', { path: { node: code }, query: { year: d!.year, indicator: ind.code, of } })
        : Promise.resolve(null),
    [code, d?.year, ind?.code, of, showRank],
  );
  const charts = useRef<Record<string, Chart>>({});
  const l = lang.get();
  useEffect(() => setMsg(''), [code, chosen]);

  if (!d) return (
    <section>
      <Spinner on={v.loading} />
      <Problem error={v.error} />
    </section>
  );
  const place = pick(d.node.name_ar, d.node.name_fr);
  const indName = ind ? pick(ind.name_ar, ind.name_fr) : '';
  const fileBase = `${ind?.code ?? 'stats'}-${d.node.code}-${d.year}`;

  const act = async (fn: () => Promise<unknown>) => {
    setMsg('');
    try {
      await fn();
      v.reload();
      setMsg(t('saved'));
    } catch (e) {
      setMsg((e as ApiError).message);
    }
  };
  const report = (action: 'submit' | 'approve' | 'return') => {
    if (!ind) return;
    let note = '';
    if (action === 'return') {
      note = prompt(t('note')) ?? '';
      if (!note) return setMsg(t('note_required'));
    }
    act(() => api.post('/stats/nodes/{node}/report', { path: { node: code }, body: { indicator: ind.code, year: d.year, action, note } }));
  };

  const ranking = r.data;
  const rankColors = ranking?.items.map((it) => (it.code === ranking.best ? '#1b7f5a' : it.code === ranking.worst ? '#b3412f' : '#4a6fa5')) ?? [];

  return (
    <section class="stats-page">
      <nav class="crumbs" aria-label="breadcrumb">
        {d.path.map((p) => (
          <>
            {p.in_scope ? <a href={statsHref(p.code)}>{pick(p.name_ar, p.name_fr)}</a> : <span>{pick(p.name_ar, p.name_fr)}</span>}
            <span class="sep">›</span>
          </>
        ))}
        <span>{place}</span>
      </nav>
      <div class="page-head">
        <div>
          <p class="kind">{t(('kind_' + d.node.kind) as Key)}</p>
          <h1>{t('stats_title', place)}</h1>
        </div>
        <YearPicker year={d.year} years={d.years} onChange={setYear} />
      </div>
      {me.actions.includes('export_data') && (
        <p class="actions">
          {t('export')}:{' '}
          <a href={'/api/v1' + href('/stats/nodes/{node}/export', { path: { node: code }, query: { year: d.year, format: 'xlsx', lang: l } })} download>
            {t('download_xlsx')}
          </a>
        </p>
      )}
      <Notice kind="notice">{msg}</Notice>

      <ListTable cls="indicators" headings={['indicator', 'value', 'target', 'progress', 'reported', 'received']}>
      {d.indicators.map((i) => (
        <tr class={i.code === ind?.code ? 'on' : ''} data-code={i.code}>
          <td>
            <button type="button" class="link" onClick={() => setChosen(i.code)}>
              {pick(i.name_ar, i.name_fr)}
            </button>
          </td>
          <td class="n">
            {d.may_see_pupils && i.pupils && i.figure.numerator_rows > 0 ? (
              <a href={pupilsHref(d.node.code, i.code, d.year)} title={t('pupils_behind')}>
                {fmtValue(i, i.figure.value)}
              </a>
            ) : (
              fmtValue(i, i.figure.value)
            )}
          </td>
          <td class="n">{i.target ? fmtValue(i, i.target.target) : ''}</td>
          <td>
            {i.target && i.target.progress !== null && (
              <>
                <span class="bar" title={Math.round(i.target.progress * 100) + ' %'}>
                  <span style={{ width: Math.round(i.target.progress * 100) + '%' }} />
                </span>{' '}
                <small>{Math.round(i.target.progress * 100)} %</small>
              </>
            )}
          </td>
          <td>{i.report ? t(('report_' + i.report.state) as Key) : t('report_draft')}</td>
          <td class="n">{i.received !== null ? fmtValue(i, i.received) : ''}</td>
        </tr>
      ))}
      </ListTable>
      <p class="muted">{t('computed_at', date(d.computed_at), d.seconds.toFixed(2))}</p>

      {ind && (
        <div class="indicator-detail">
          <h2>{indName}</h2>
          <div class="grid2">
            <div class="card">
              <div class="card-head">
                <h3>{t('trend')}</h3>
                <button type="button" class="link" onClick={() => savePng(charts.current.trend, fileBase + '-trend')}>
                  {t('download_png')}
                </button>
              </div>
              <ChartBox
                label={t('trend') + ' — ' + indName}
                onReady={(c) => (charts.current.trend = c)}
                config={{
                  type: 'line',
                  data: { labels: ind.trend.map((p) => p.year), datasets: [{ label: indName, data: ind.trend.map((p) => p.value) as number[], borderColor: '#1b5e8a', backgroundColor: '#1b5e8a' }] },
                  options: {
                    animation: false,
                    responsive: true,
                    maintainAspectRatio: false,
                    layout: { padding: { left: 24, right: 24 } },
                    plugins: { legend: { rtl: rtl() }, tooltip: { rtl: rtl() } },
                    scales: { x: { reverse: rtl() }, y: { position: rtl() ? 'right' : 'left' } },
                  },
                }}
              />
            </div>
            {ind.by.length > 0 && (
              <div class="card">
                <div class="card-head">
                  <h3>{t('by_dimension', ind.disaggregations.map((x) => t(('dim_' + x) as Key)).join(' · '))}</h3>
                  <button type="button" class="link" onClick={() => savePng(charts.current.parts, fileBase + '-parts')}>
                    {t('download_png')}
                  </button>
                </div>
                <ChartBox
                  label={indName}
                  onReady={(c) => (charts.current.parts = c)}
                  config={barConfig(
                    ind.by.map((b) => dimLabel(b.dimension, b.value)),
                    ind.by.map((b) => b.figure.value),
                    ind.by.map((b) => (b.dimension === 'sex' ? '#8a4f9e' : b.dimension === 'milieu' ? '#3f8f6b' : '#4a6fa5')),
                    indName,
                  )}
                />
              </div>
            )}
          </div>

          {ind.by.length > 0 && (
            <table class="list parts">
              <thead>
                <tr>
                  <th>{t('by_dimension', '')}</th>
                  <th>{t('value')}</th>
                  <th>{t('numerator')}</th>
                  {ind.has_denominator && <th>{t('denominator')}</th>}
                </tr>
              </thead>
              <tbody>
                {ind.by.map((b) => (
                  <tr>
                    <td>{dimLabel(b.dimension, b.value)}</td>
                    <td class="n">{fmtValue(ind, b.figure.value)}</td>
                    <td class="n">
                      {d.may_see_pupils && ind.pupils && b.figure.numerator_rows > 0 ? (
                        <a href={pupilsHref(d.node.code, ind.code, d.year, b.dimension, b.value)}>{num(b.figure.numerator)}</a>
                      ) : (
                        num(b.figure.numerator)
                      )}
                    </td>
                    {ind.has_denominator && (
                      <td class="n">
                        {d.may_see_pupils && b.figure.denominator_rows > 0 && ind.pupils ? (
                          <a href={pupilsHref(d.node.code, ind.code, d.year, b.dimension, b.value, true)}>{num(b.figure.denominator)}</a>
                        ) : (
                          num(b.figure.denominator)
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          )}

          {showRank && (
            <div class="card ranking">
              <div class="card-head">
                <h3>{t('ranking', indName)}</h3>
                {['directorate', 'commune', 'region'].includes(d.node.kind) && (
                  <span class="toggle">
                    <button type="button" class={of === 'children' ? 'on' : ''} onClick={() => setOf('children')}>
                      {t('rank_children')}
                    </button>
                    <button type="button" class={of === 'schools' ? 'on' : ''} onClick={() => setOf('schools')}>
                      {t('rank_schools')}
                    </button>
                  </span>
                )}
                <button type="button" class="link" onClick={() => savePng(charts.current.rank, fileBase + '-ranking')}>
                  {t('download_png')}
                </button>
              </div>
              <Spinner on={r.loading && !ranking} />
              <Problem error={r.error} />
              {ranking && ranking.items.length > 0 && (
                <>
                  <p class="best-worst">
                    {ranking.best && (
                      <span class="best">
                        {t('best')}: {pick(ranking.items[0].name_ar, ranking.items[0].name_fr)}
                      </span>
                    )}
                    {ranking.worst && (
                      <span class="worst">
                        {t('worst')}: {(() => {
                          const w = ranking.items.find((x) => x.code === ranking.worst)!;
                          return pick(w.name_ar, w.name_fr);
                        })()}
                      </span>
                    )}
                  </p>
                  <div style={{ height: Math.min(600, 60 + ranking.items.length * 22) + 'px' }}>
                    <ChartBox
                      label={t('ranking', indName)}
                      onReady={(c) => (charts.current.rank = c)}
                      config={barConfig(
                        ranking.items.slice(0, 40).map((x) => pick(x.name_ar, x.name_fr)),
                        ranking.items.slice(0, 40).map((x) => x.figure.value),
                        rankColors.slice(0, 40),
                        indName,
                      )}
                    />
                  </div>
                  <table class="list rank-table">
                    <thead>
                      <tr>
                        <th>{t('rank')}</th>
                        <th>{t(('kind_' + (ranking.items[0]?.kind ?? 'school')) as Key)}</th>
                        <th>{t('value')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {ranking.items.map((x) => (
                        <tr class={x.code === ranking.best ? 'best' : x.code === ranking.worst ? 'worst' : ''}>
                          <td class="n">{x.rank || ''}</td>
                          <td>
                            <a href={statsHref(x.code)}>{pick(x.name_ar, x.name_fr)}</a>
                          </td>
                          <td class="n">
                            {d.may_see_pupils && ind.pupils && x.figure.numerator_rows > 0 ? (
                              <a href={pupilsHref(x.code, ind.code, d.year)}>{fmtValue(ind, x.figure.value)}</a>
                            ) : (
                              fmtValue(ind, x.figure.value)
                            )}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </>
              )}
            </div>
          )}

          {(d.may_set_targets || d.may_approve) && (
            <div class="card">
              <h3>{t('target')}</h3>
              {d.may_set_targets && (
                <form
                  class="inline-form"
                  onSubmit={(e) => {
                    e.preventDefault();
                    const f = new FormData(e.currentTarget);
                    const baseline = Number(f.get('baseline'));
                    const target = Number(f.get('target'));
                    if (!Number.isFinite(baseline) || !Number.isFinite(target) || f.get('baseline') === '' || f.get('target') === '')
                      return setMsg(t('error') + ': ' + t('baseline') + ' / ' + t('target'));
                    act(() => api.post('/stats/nodes/{node}/target', { path: { node: code }, body: { indicator: ind.code, year: d.year, baseline, target } }));
                  }}
                >
                  <label>
                    {t('baseline')} <input name="baseline" inputMode="decimal" defaultValue={ind.target ? String(ind.target.baseline) : ''} />
                  </label>
                  <label>
                    {t('target')} <input name="target" inputMode="decimal" defaultValue={ind.target ? String(ind.target.target) : ''} />
                  </label>
                  <button type="submit">{t('set_target')}</button>
                </form>
              )}
              <p class="report-state">
                {t('reported')}: <strong>{ind.report ? t(('report_' + ind.report.state) as Key) : t('report_draft')}</strong>
                {ind.report && (
                  <small>
                    {' '}
                    — {ind.report.updated_by}, {date(ind.report.updated_at)}
                    {ind.report.note && ' — ' + ind.report.note}
                  </small>
                )}
              </p>
              <p class="actions">
                {d.may_set_targets && (!ind.report || ind.report.state === 'draft' || ind.report.state === 'returned') && (
                  <button type="button" onClick={() => report('submit')}>
                    {t('submit_value')}
                  </button>
                )}
                {d.may_approve && ind.report?.state === 'submitted' && (
                  <>
                    <button type="button" onClick={() => report('approve')}>
                      {t('approve_value')}
                    </button>
                    <button type="button" class="secondary" onClick={() => report('return')}>
                      {t('return_value')}
                    </button>
                  </>
                )}
              </p>
            </div>
          )}
        </div>
      )}
      {d.node.kind === 'nation' && me.actions.includes('exchange') && me.scope.kind === 'nation' && <Deliveries />}
    </section>
  );
}

// The regular exchange with the planning directorate: its delivery log, and a send now.
function Deliveries() {
  const v = useLoad(() => api.get('/exchange/deliveries'), []);
  const [msg, setMsg] = useState('');
  const [busy, setBusy] = useState(false);
  const d = v.data;
  return (
    <div class="card" data-testid="deliveries">
      <div class="card-head">
        <h3>{t('deliveries')}</h3>
        {d?.configured && (
          <button
            type="button"
            disabled={busy}
            onClick={async () => {
              if (!(await confirmFirst({ ask: t('confirm_deliver'), yes: t('deliver_now') }))) return;
              setBusy(true);
              setMsg('');
              try {
                await api.post('/exchange/deliveries');
                setMsg(t('delivered'));
              } catch (e) {
                setMsg((e as ApiError).message);
              } finally {
                setBusy(false);
                v.reload();
              }
            }}
          >
            {busy ? t('loading') : t('deliver_now')}
          </button>
        )}
      </div>
      <Problem error={v.error} />
      {d && !d.configured && <p class="muted">{t('not_configured')}</p>}
      <Notice kind="notice">{msg}</Notice>
      {d && d.items.length > 0 && (
        <div class="table-wrap">
          <table class="list">
            <thead>
              <tr>
                <th>{t('at')}</th>
                <th>{t('year')}</th>
                <th>{t('attempt')}</th>
                <th>{t('status')}</th>
                <th>SHA-256</th>
                <th>{t('detail')}</th>
              </tr>
            </thead>
            <tbody>
              {d.items.map((x) => (
                <tr class={x.status === 'failed' ? 'worst' : ''}>
                  <td>
                    {date(x.started_at)}
                  </td>
                  <td>{x.year}</td>
                  <td class="n">{x.attempt}</td>
                  <td>{t(('delivery_' + x.status) as Key)}</td>
                  <td>
                    <code title={x.sha256}>{x.sha256.slice(0, 12)}</code>
                  </td>
                  <td>{x.error || `${x.files.length} · ${num(x.bytes)} B · ${x.destination}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

export function StatsPupilsPage({ parts }: { parts: string[] }) {
  const [node, ind, year, dim, value, side] = parts;
  const [page, setPage] = useState(1);
  const q = { indicator: ind, year, dimension: dim === '-' ? '' : dim, value: value === '-' ? '' : value, denominator: side === 'den' ? '1' : '', page, page_size: 50 };
  const v = useLoad(() => api.get('/stats/nodes/{node}/pupils', { path: { node }, query: q }), [parts.join('/'), page]);
  const d = v.data;
  const pages = d ? Math.max(1, Math.ceil(d.total / d.page_size)) : 1;
  return (
    <section>
      <p>
        <a href={statsHref(node)}>← {t('back')}</a>
      </p>
      <Spinner on={v.loading && !d} />
      <Problem error={v.error} />
      {d && (
        <>
          <h1>
            {t('pupils_of', ind)} — {pick(d.node.name_ar, d.node.name_fr)} {dim !== '-' ? '· ' + dimLabel(dim, value) : ''} {side === 'den' ? t('of_denominator') : ''}
          </h1>
          <p class="muted">
            {num(d.total)} {t('pupils')} · {year}
          </p>
          <ListTable headings={['massar', 'name', 'sex', 'kind_school', 'level', 'status']}>
          {d.items.map((p) => (
            <tr>
              <td>
                <a href={'#/pupil/' + encodeURIComponent(p.massar)}>{p.massar}</a>
              </td>
              <td>{pick(p.last_ar + ' ' + p.first_ar, (p.last_fr + ' ' + p.first_fr).trim() || p.last_ar + ' ' + p.first_ar)}</td>
              <td>{label('sex', p.sex)}</td>
              <td>
                <a href={'#/school/' + encodeURIComponent(p.school)}>{p.school}</a>
              </td>
              <td>{label('level', p.level)}</td>
              <td>{label('status', p.status)}</td>
            </tr>
          ))}
          </ListTable>
          <Pager page={page} pages={pages} go={setPage} />
        </>
      )}
    </section>
  );
}
