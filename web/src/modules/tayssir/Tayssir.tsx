// Tayssir: the cycles within reach, computing a period, and a cycle's page — its steps, the
// schools' checks, the lines with the computation behind each, the lists, payment and appeals.
import { useState } from 'preact/hooks';
import { api, href, postDownload, qs, type Principal, type Schema } from '../../core/api';
import { label, lang, mad, monthName, num, pick, t, type Key } from '../../core/i18n';
import { BackLink, errorText, Pager, Problem, Spinner, useLoad, ListTable, Notice } from '../../core/util';
import { Form, confirmFirst } from '../../core/forms';

export type Cycle = Schema<'Cycle'>;
type CycleView = Schema<'CycleDetail'>;
type Appeal = CycleView['appeals'][number];

// A cycle's steps in the workflow's order; the type makes a state the API does not describe an
// error here (the API's test ties its description to the workflow).
const STATES: Cycle['state'][] = ['draft', 'checked', 'approved', 'exported', 'closed'];
const stateLabel = (s: string) => t(('state_' + s) as Key);


function CycleTable({ cycles }: { cycles: Cycle[] }) {
  if (cycles.length === 0) return <p class="notice">{t('no_cycles')}</p>;
  return (
    <ListTable testid="cycles" headings={['cycle', 'period', 'directorate', 'state', 'beneficiaries', 'households', 'due', 'forfeited', 'adjustments']}>
    {cycles.map((c) => (
      <tr>
        <td>
          <a href={'#/tayssir/' + c.id}>#{c.id}</a>
        </td>
        <td>{c.period}</td>
        <td class="code">{c.directorate}</td>
        <td>
          <span class={'state ' + c.state}>{stateLabel(c.state)}</span>
        </td>
        <td class="num">{num(c.beneficiaries)}</td>
        <td class="num">{num(c.households)}</td>
        <td class="num">{mad(c.due)}</td>
        <td class="num">{mad(c.forfeited)}</td>
        <td class="num">{mad(c.adjustments)}</td>
      </tr>
    ))}
    </ListTable>
  );
}

export function TayssirPage({ me }: { me: Principal }) {
  const policies = useLoad(() => api.get('/tayssir/policies'), []);
  const [policy, setPolicy] = useState('');
  const chosen = policies.data?.find((p) => p.code === policy) ?? policies.data?.[0];
  const cycles = useLoad(
    () => (chosen ? api.get('/tayssir/cycles', { query: { policy: chosen.code } }) : Promise.resolve([])),
    [chosen?.code],
  );
  const [period, setPeriod] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState('');
  const [error, setError] = useState('');
  const canRun = me.actions.includes('tayssir_run') && ['nation', 'region', 'directorate'].includes(me.scope.kind);

  const compute = async (e: Event) => {
    e.preventDefault();
    if (!chosen) return;
    setBusy(true);
    setDone('');
    setError('');
    try {
      const r = await api.post('/tayssir/cycles', {
        body: { policy: chosen.code, period: period || chosen.periods[0]?.code },
      });
      setDone(t('computed', r.cycles.length) + (r.suspects_pending ? ' ' + t('suspects', r.suspects_pending) : ''));
      cycles.reload();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <h1>{t('tayssir_title')}</h1>
      <Spinner on={policies.loading && !policies.data} />
      <Problem error={policies.error} />
      {policies.data && policies.data.length === 0 && <p class="notice">{t('no_cycles')}</p>}
      {chosen && (
        <>
          <form class="filters" onSubmit={compute}>
            <label>
              {t('policy')}
              <select value={chosen.code} onChange={(e) => setPolicy(e.currentTarget.value)}>
                {policies.data!.map((p) => (
                  <option value={p.code}>{pick(p.name_ar, p.name_fr)}</option>
                ))}
              </select>
            </label>
            {canRun && (
              <>
                <label>
                  {t('period')}
                  <select value={period} onChange={(e) => setPeriod(e.currentTarget.value)} name="period">
                    {chosen.periods.map((p) => (
                      <option value={p.code}>{pick(p.name_ar, p.name_fr)}</option>
                    ))}
                  </select>
                </label>
                <button type="submit" disabled={busy}>
                  {busy ? t('loading') : t('compute')}
                </button>
              </>
            )}
          </form>
          <p class="actions">
            <a href={'#/tayssir-policy/' + encodeURIComponent(chosen.code)} data-testid="policy-link">
              {t('policy_rules')}
            </a>
            {canRun && (
              <a href={'#/tayssir-suspects/' + encodeURIComponent(chosen.code)} data-testid="suspects-link">
                {t('suspects_link')}
              </a>
            )}
          </p>
          <Notice kind="ok">{done}</Notice>
          <Notice kind="error">{error}</Notice>
          <Problem error={cycles.error} />
          {cycles.data && <CycleTable cycles={cycles.data} />}
        </>
      )}
    </section>
  );
}

function MonthCell({ state }: { state: string }) {
  return <td class={'month m' + (state === '-' ? 'x' : state)}>{t(('m_' + state) as Key)}</td>;
}

function ExplainPanel({ cycle, massar, me, onFiled }: { cycle: CycleView; massar: string; me: Principal; onFiled: () => void }) {
  const r = useLoad(() => api.get('/tayssir/cycles/{id}/explain/{massar}', { path: { id: cycle.id, massar } }), [massar]);
  const [grounds, setGrounds] = useState('');
  const canAppeal = me.actions.includes('tayssir_appeal') && cycle.state !== 'draft';
  const file = async () => {
    const a = await api.post('/tayssir/cycles/{id}/appeals', { path: { id: cycle.id }, body: { massar, grounds } });
    setGrounds('');
    onFiled();
    return t('appeal_filed', a.id);
  };
  return (
    <div class="card" data-testid="explain">
      <h3>
        {t('explain')} — <span class="code">{massar}</span>
      </h3>
      <Problem error={r.error} />
      {r.data && (
        <>
          <p>
            {label('level', r.data.level)} · {label('tayssir_reasons', r.data.reason)} · {t('monthly')}: {mad(r.data.monthly)} ·{' '}
            {t('due')}: <strong>{mad(r.data.due)}</strong>
          </p>
          <table class="list narrow">
            <thead>
              <tr>
                <th>{t('month')}</th>
                {r.data.schools.length > 1 && <th>{t('school')}</th>}
                <th>{t('counted')}</th>
                <th>{t('threshold')}</th>
                <th>{t('state')}</th>
              </tr>
            </thead>
            <tbody>
              {r.data.months.map((m) => (
                <tr>
                  <td>{monthName(m.month)}</td>
                  {r.data!.schools.length > 1 && <td class="code">{m.school}</td>}
                  <td class="num">{num(m.counted)}</td>
                  <td class="num">{num(m.threshold)}</td>
                  <MonthCell state={m.state} />
                </tr>
              ))}
            </tbody>
          </table>
          {r.data.siblings.length > 0 && (
            <>
              <h4>{t('household_siblings')}</h4>
              <table class="list narrow" data-testid="siblings">
                <thead>
                  <tr>
                    <th>{t('massar')}</th>
                    <th>{t('school')}</th>
                    <th>{t('level')}</th>
                    <th>{t('reason')}</th>
                  </tr>
                </thead>
                <tbody>
                  {r.data.siblings.map((s) => (
                    <tr>
                      <td class="code">{s.massar}</td>
                      <td class="code">{s.school}</td>
                      <td>{label('level', s.level)}</td>
                      <td>
                        {label('tayssir_reasons', s.reason)}
                        {s.reason === 'eligible' && ' — ' + t('holds_place')}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </>
      )}
      {canAppeal && (
        <Form class="form" action={file} submit={t('file_appeal')}>
          <label>
            {t('grounds')}
            <textarea value={grounds} required maxLength={4000} onInput={(e) => setGrounds(e.currentTarget.value)} />
          </label>
        </Form>
      )}
    </div>
  );
}

function AppealRow({ a, canDecide, onDone }: { a: Appeal; canDecide: boolean; onDone: () => void }) {
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const decide = async (upheld: boolean) => {
    if (!note.trim()) return setError(t('note_required'));
    try {
      await api.post('/tayssir/appeals/{id}/decision', { path: { id: a.id }, body: { upheld, note } });
      onDone();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <tr>
      <td>#{a.id}</td>
      <td class="code">{a.massar}</td>
      <td>{a.grounds}</td>
      <td>{t(('appeal_' + a.state) as Key)}</td>
      <td class="num">{a.amount ? mad(a.amount) : ''}</td>
      <td>
        {a.state === 'open' && canDecide ? (
          <div class="inline-form">
            <input value={note} placeholder={t('note')} onInput={(e) => setNote(e.currentTarget.value)} />
            <button type="button" onClick={() => decide(true)}>
              {t('uphold')}
            </button>
            <button type="button" class="secondary" onClick={() => decide(false)}>
              {t('reject')}
            </button>
            {error && <span class="error">{error}</span>}
          </div>
        ) : (
          a.note
        )}
      </td>
    </tr>
  );
}

export function CyclePage({ id, me }: { id: string; me: Principal }) {
  const c = useLoad(() => api.get('/tayssir/cycles/{id}', { path: { id: Number(id) } }), [id]);
  const [filter, setFilter] = useState('');
  const [page, setPage] = useState(1);
  const lines = useLoad(
    () => api.get('/tayssir/cycles/{id}/lines', { path: { id: Number(id) }, query: { reason: filter, page, page_size: 50 } }),
    [id, filter, page],
  );
  const [open, setOpen] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const cycle = c.data;
  const part = me.scope.kind === 'school' || me.scope.kind === 'commune';
  const canRun = me.actions.includes('tayssir_run') && !part;
  const canCheck = me.actions.includes('tayssir_check') && me.scope.kind === 'school';

  const act = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError('');
    try {
      await fn();
      c.reload();
      lines.reload();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const advance = async (to: string) => {
    if (
      to === 'closed' &&
      !(await confirmFirst({ ask: t('confirm_close', id), consequence: t('confirm_close_then'), yes: t('to_closed'), danger: true }))
    )
      return;
    if (
      to === 'approved' &&
      !(await confirmFirst({
        ask: t('confirm_approve', id),
        consequence: t('confirm_approve_then', cycle?.policy ?? ''),
        yes: t('to_approved'),
        danger: true,
      }))
    )
      return;
    act(() => api.post('/tayssir/cycles/{id}/advance', { path: { id: Number(id) }, body: { to } }));
  };
  const pay = async () => {
    if (!cycle) return;
    const p = cycle.payable;
    const text =
      t('confirm_pay', id, mad(p ? p.amount : cycle.due + cycle.adjustments), p ? p.households : cycle.households) +
      (p && p.owing_households ? ' ' + t('confirm_pay_owing', p.owing_households, mad(-p.owing)) : '');
    if (!(await confirmFirst({ ask: t('confirm_pay_ask', id), consequence: text, yes: t('pay'), danger: true }))) return;
    act(() => postDownload(href('/tayssir/cycles/{id}/pay', { path: { id: Number(id) }, query: { lang: lang.get() } }), `tayssir-${id}-payments.xlsx`));
  };
  const check = (confirmed: boolean) => {
    if (!confirmed && !note.trim()) return setError(t('note_required'));
    act(() => api.post('/tayssir/cycles/{id}/check', { path: { id: Number(id) }, body: { confirmed, note } }));
  };
  const listUrl = (kind: string, format = 'xlsx') => `/api/v1/tayssir/cycles/${id}/lists/${kind}` + qs({ lang: lang.get(), format });

  if (!cycle)
    return (
      <section>
        <Spinner on={c.loading} />
        <Problem error={c.error} />
      </section>
    );
  const confirmedCount = cycle.checks.filter((k) => k.state === 'confirmed').length;
  const mine = cycle.checks.find((k) => k.school === me.scope.code);
  const l = lines.data;
  const pages = l ? Math.max(1, Math.ceil(l.total / l.page_size)) : 1;
  return (
    <section>
      <BackLink href="#/tayssir" text={t('nav_tayssir')} />
      <h1>
        {t('cycle')} #{cycle.id} · {cycle.period} · <span class="code">{cycle.directorate}</span>
      </h1>
      <ol class="steps" data-testid="steps">
        {STATES.map((s) => (
          <li class={s === cycle.state ? 'on' : STATES.indexOf(s) < STATES.indexOf(cycle.state) ? 'done' : ''}>{stateLabel(s)}</li>
        ))}
      </ol>
      <div class="stats" data-testid="cycle-stats">
        <div>
          <strong>{num(cycle.pupils)}</strong>
          <span>{t('pupils')}</span>
        </div>
        <div>
          <strong data-testid="beneficiaries">{num(cycle.beneficiaries)}</strong>
          <span>{t('beneficiaries')}</span>
        </div>
        <div>
          <strong>{num(cycle.households)}</strong>
          <span>{t('households')}</span>
        </div>
        <div>
          <strong>{mad(cycle.due)}</strong>
          <span>{t('due')}</span>
        </div>
        <div class={cycle.forfeited ? 'bad' : ''}>
          <strong>{mad(cycle.forfeited)}</strong>
          <span>{t('forfeited')}</span>
        </div>
        <div>
          <strong>{mad(cycle.adjustments)}</strong>
          <span>{t('adjustments')}</span>
        </div>
      </div>
      <Notice kind="error">{error}</Notice>
      {canRun && (
        <p class="actions" data-testid="cycle-actions">
          {cycle.state === 'draft' && (
            <button type="button" disabled={busy} onClick={() => advance('checked')}>
              {t('to_checked')}
            </button>
          )}
          {cycle.state === 'checked' && (
            <>
              <button type="button" disabled={busy} onClick={() => advance('approved')}>
                {t('to_approved')}
              </button>
              <button type="button" class="secondary" disabled={busy} onClick={() => advance('draft')}>
                {t('to_draft')}
              </button>
            </>
          )}
          {cycle.state === 'approved' && (
            <button type="button" disabled={busy} onClick={pay}>
              {t('pay')}
            </button>
          )}
          {cycle.state === 'exported' && (
            <button type="button" disabled={busy} onClick={() => advance('closed')}>
              {t('to_closed')}
            </button>
          )}
        </p>
      )}
      <h2>{t('school_checks')}</h2>
      <p>{t('schools_confirmed', confirmedCount, cycle.schools)}</p>
      {canCheck && cycle.state === 'draft' && (
        <div class="card form" data-testid="school-check">
          {mine && (
            <p class={mine.state === 'confirmed' ? 'ok' : 'error'}>
              {t(mine.state as Key)} {mine.note && '— ' + mine.note}
            </p>
          )}
          <label>
            {t('note')}
            <textarea value={note} onInput={(e) => setNote(e.currentTarget.value)} />
          </label>
          <p class="actions">
            <button type="button" disabled={busy} onClick={() => check(true)}>
              {t('confirm_list')}
            </button>
            <button type="button" class="secondary" disabled={busy} onClick={() => check(false)}>
              {t('flag_list')}
            </button>
          </p>
        </div>
      )}
      {cycle.checks.length > 0 && (
        <div class="table-wrap">
          <table class="list narrow" data-testid="checks">
            <tbody>
              {cycle.checks.map((k) => (
                <tr>
                  <td class="code">{k.school}</td>
                  <td class={k.state === 'confirmed' ? 'ok' : 'error'}>{t(k.state as Key)}</td>
                  <td>{k.note}</td>
                  <td>{k.by}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>{t('lists')}</h2>
      <p class="actions">
        <a href={listUrl('beneficiaries')}>{t('list_beneficiaries')}</a>
        {me.scope.kind === 'school' && (
          <a href={listUrl('beneficiaries', 'pdf')} data-testid="signature-pdf">
            {t('list_beneficiaries')} (PDF)
          </a>
        )}
        <a href={listUrl('exclusions')}>{t('list_exclusions')}</a>
        {!part && (
          <>
            <a href={listUrl('totals')}>{t('list_totals')}</a>
            <a href={listUrl('adjustments')}>{t('list_adjustments')}</a>
            {canRun && <a href={listUrl('payments')}>{t('list_payments')}</a>}
          </>
        )}
      </p>
      <h2>{t('pupils')}</h2>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('reason')}
          <select
            value={filter}
            name="reason"
            onChange={(e) => {
              setFilter(e.currentTarget.value);
              setPage(1);
            }}
          >
            <option value="">{t('all')}</option>
            <option value="eligible">{t('only_eligible')}</option>
            <option value="excluded">{t('only_excluded')}</option>
          </select>
        </label>
      </form>
      <Problem error={lines.error} />
      {open && <ExplainPanel cycle={cycle} massar={open} me={me} onFiled={c.reload} />}
      {l && (
        <>
          <p aria-live="polite">
            {t('results')}: <strong data-testid="lines-total">{num(l.total)}</strong>
          </p>
          <div class={'table-wrap' + (lines.loading ? ' stale' : '')}>
            <table class="list" data-testid="lines">
              <thead>
                <tr>
                  <th>{t('massar')}</th>
                  <th>{t('name')}</th>
                  <th>{t('school')}</th>
                  <th>{t('level')}</th>
                  <th>{t('reason')}</th>
                  {l.months.map((m) => (
                    <th>{monthName(m)}</th>
                  ))}
                  <th>{t('due')}</th>
                </tr>
              </thead>
              <tbody>
                {l.items.map((x) => (
                  <tr>
                    <td class="code">
                      <button type="button" class="link" onClick={() => setOpen(x.massar)}>
                        {x.massar}
                      </button>
                    </td>
                    <td>{pick(`${x.first_ar} ${x.last_ar}`, x.first_fr ? `${x.first_fr} ${x.last_fr}` : '')}</td>
                    <td class="code">{x.school}</td>
                    <td>{label('level', x.level)}</td>
                    <td>{label('tayssir_reasons', x.reason)}</td>
                    {x.months.split('').map((s) => (
                      <MonthCell state={s} />
                    ))}
                    <td class="num">{mad(x.due)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager page={l.page} pages={pages} go={setPage} />
        </>
      )}
      <h2>{t('appeals')}</h2>
      {cycle.appeals.length === 0 ? (
        <p class="notice">{t('no_entries')}</p>
      ) : (
        <div class="table-wrap">
          <table class="list" data-testid="appeals">
            <tbody>
              {cycle.appeals.map((a) => (
                <AppealRow a={a} canDecide={canRun} onDone={c.reload} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
