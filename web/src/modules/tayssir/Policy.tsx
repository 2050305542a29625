// A Tayssir policy: its rules in a form (saved by national policy editors while no cycle of it
// has left the draft), a copy for another year or a variant, and the what-if — the rules of the
// form run beside the policy in force on the registry of the scope, writing nothing.
import { useEffect, useState } from 'preact/hooks';
import { api, href, postDownload, type Answer, type Principal, type Schema } from '../../core/api';
import { label, lang, mad, monthName, num, pick, t, terms, type Key } from '../../core/i18n';
import { BackLink, errorText, Problem, Spinner, useLoad, ListTable, Notice } from '../../core/util';
import { confirmFirst } from '../../core/forms';

export type PolicyRules = Schema<'TayssirPolicy'>;
export type PolicyInfo = Schema<'TayssirPolicyRecord'>;
type TargetRule = PolicyRules['targets'][number];
type PeriodRules = Schema<'TayssirPeriod'>;
type WhatIf = Answer<'/tayssir/whatif', 'post'>;
type WhatIfRow = WhatIf['by_directorate'][number];
type Change = Schema<'WhatIfPupil'>;

const cycleCodes = () => terms('cycle').map((c) => c.code);
const codes = (text: string) => text.split(/[\s,;،]+/).filter(Boolean);

// The twelve months of a school year, September to August.
function yearMonths(schoolYear: string): string[] {
  const y = Number(schoolYear.slice(0, 4));
  const out: string[] = [];
  for (let i = 0; i < 12; i++) {
    const m = ((8 + i) % 12) + 1;
    out.push(`${m >= 9 ? y : y + 1}-${String(m).padStart(2, '0')}`);
  }
  return out;
}

function MonthBoxes({ all, on, set, name }: { all: string[]; on: string[]; set: (m: string[]) => void; name: string }) {
  return (
    <div class="months-grid" data-testid={name}>
      {all.map((m) => (
        <label class="check">
          <input
            type="checkbox"
            checked={on.includes(m)}
            onChange={(e) => set(all.filter((x) => (x === m ? e.currentTarget.checked : on.includes(x))))}
          />
          {monthName(m)}
        </label>
      ))}
    </div>
  );
}

// The RAMED-exempt communes read from a CSV or XLSX of their codes (checked by the server, each
// wrong row named); they replace the list in the form, saved with it.
function ExemptFromFile({ set }: { set: (communes: string[]) => void }) {
  const [said, setSaid] = useState('');
  const [error, setError] = useState('');
  const read = async (file: File | undefined) => {
    if (!file) return;
    setSaid('');
    setError('');
    try {
      const r = await api.upload('/tayssir/communes-file', file, { query: { name: file.name } });
      set(r.communes);
      setSaid(t('exempt_read', num(r.count)));
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <div class="field">
      <label>
        {t('exempt_file')}
        <input type="file" name="exempt_file" accept=".csv,.xlsx,text/csv" onChange={(e) => read(e.currentTarget.files?.[0])} />
      </label>
      <Notice kind="ok">{said}</Notice>
      {error && (
        <p class="error" role="alert" style="white-space: pre-line">
          {error}
        </p>
      )}
    </div>
  );
}

// More indicators a commune must reach for the rule to hold, written "dropout_primary >= 8,
// other >= 3"; the form takes them once every part reads so.
type Bound = { indicator: string; min_value: number };
function AndConditions({ name, value, set }: { name: string; value: Bound[]; set: (b: Bound[]) => void }) {
  const shown = value.map((b) => `${b.indicator} >= ${b.min_value}`).join(', ');
  const [text, setText] = useState(shown);
  const [wrong, setWrong] = useState(false);
  useEffect(() => setText(shown), [shown]);
  const read = (s: string) => {
    setText(s);
    const parts = s.split(/[,;،]/).map((x) => x.trim()).filter(Boolean);
    const out: Bound[] = [];
    for (const part of parts) {
      const m = /^([A-Za-z0-9_.-]+)\s*(?:>=|≥)\s*(-?\d+(?:\.\d+)?)$/.exec(part);
      if (!m) return setWrong(true);
      out.push({ indicator: m[1], min_value: Number(m[2]) });
    }
    setWrong(false);
    set(out);
  };
  return (
    <>
      <input dir="ltr" name={name} value={text} placeholder="dropout_primary >= 8" aria-invalid={wrong} onInput={(e) => read(e.currentTarget.value)} />
      {wrong && <span class="error">{t('and_conditions_hint')}</span>}
    </>
  );
}

// `set` applies a change to the form's latest rules (a file read arrives after other edits).
function PolicyForm({ p, set, disabled }: { p: PolicyRules; set: (f: (cur: PolicyRules) => PolicyRules) => void; disabled: boolean }) {
  const up = (patch: Partial<PolicyRules>) => set((cur) => ({ ...cur, ...patch }));
  const months = yearMonths(p.school_year);
  const setAmount = (level: string, text: string) => {
    const a = { ...p.monthly_amount_centimes };
    if (text.trim() === '') delete a[level];
    else a[level] = Math.round(Number(text) * 100);
    up({ monthly_amount_centimes: a });
  };
  const setTarget = (i: number, patch: Partial<TargetRule>) =>
    up({ targets: p.targets.map((r, j) => (j === i ? { ...r, ...patch } : r)) });
  const setPeriod = (i: number, patch: Partial<PeriodRules>) =>
    up({ periods: p.periods.map((r, j) => (j === i ? { ...r, ...patch } : r)) });
  return (
    <fieldset class="policy-form" disabled={disabled}>
      <div class="grid2">
        <label>
          {t('name_ar')}
          <input value={p.name_ar} dir="rtl" onInput={(e) => up({ name_ar: e.currentTarget.value })} />
        </label>
        <label>
          {t('name_fr')}
          <input value={p.name_fr} dir="ltr" onInput={(e) => up({ name_fr: e.currentTarget.value })} />
        </label>
      </div>
      <h3>{t('amounts_title')}</h3>
      <div class="amounts" data-testid="amounts">
        {terms('level').map((l) => (
          <label>
            {l[lang.get()]}
            <input
              type="number"
              min="0"
              step="0.01"
              name={'amount-' + l.code}
              value={p.monthly_amount_centimes[l.code] === undefined ? '' : p.monthly_amount_centimes[l.code] / 100}
              onInput={(e) => setAmount(l.code, e.currentTarget.value)}
            />
          </label>
        ))}
      </div>
      <h3>{t('months_covered')}</h3>
      <MonthBoxes all={months} on={p.months} set={(m) => up({ months: m })} name="policy-months" />
      <h3>{t('thresholds')}</h3>
      <label>
        {t('absence_unit')}
        <select value={p.absence_unit ?? 'day'} name="absence_unit" onChange={(e) => up({ absence_unit: e.currentTarget.value as 'day' | 'session' })}>
          <option value="day">{t('unit_day')}</option>
          <option value="session">{t('unit_session')}</option>
        </select>
      </label>
      <div class="amounts">
        {cycleCodes().map((c) => (
          <label>
            {label('cycle', c)}
            <input
              type="number"
              min="0"
              max={p.absence_unit === 'session' ? 200 : 31}
              name={'threshold-' + c}
              value={p.absence_threshold_days[c] ?? ''}
              onInput={(e) => {
                const th = { ...p.absence_threshold_days };
                if (e.currentTarget.value === '') delete th[c];
                else th[c] = Number(e.currentTarget.value);
                up({ absence_threshold_days: th });
              }}
            />
          </label>
        ))}
      </div>
      <div class="grid2">
        <label>
          {t('household_cap')}
          <input
            type="number"
            min="0"
            name="household_cap"
            value={p.household_cap}
            onInput={(e) => up({ household_cap: Number(e.currentTarget.value) })}
          />
        </label>
        <label>
          {t('cap_rule')}
          <select value={p.cap_rule} name="cap_rule" onChange={(e) => up({ cap_rule: e.currentTarget.value })}>
            {['largest_amount', 'youngest', 'oldest'].map((r) => (
              <option value={r}>{t(('cap_' + r) as Key)}</option>
            ))}
          </select>
        </label>
      </div>
      <label class="check">
        <input
          type="checkbox"
          checked={p.justified_absences_count}
          onChange={(e) => up({ justified_absences_count: e.currentTarget.checked })}
        />
        {t('justified_count')}
      </label>
      <label class="check">
        <input type="checkbox" checked={p.repeaters_eligible} onChange={(e) => up({ repeaters_eligible: e.currentTarget.checked })} />
        {t('repeaters_eligible')}
      </label>
      <label class="check">
        <input
          type="checkbox"
          name="hold_probable_duplicates"
          checked={p.hold_probable_duplicates ?? true}
          onChange={(e) => up({ hold_probable_duplicates: e.currentTarget.checked })}
        />
        {t('hold_duplicates')}
      </label>
      <label class="check">
        <input type="checkbox" checked={p.require_ramed} onChange={(e) => up({ require_ramed: e.currentTarget.checked })} />
        {t('require_ramed')}
      </label>
      <label>
        {t('ramed_exempt')}
        <textarea
          dir="ltr"
          value={p.ramed_exempt_communes.join(' ')}
          onChange={(e) => up({ ramed_exempt_communes: codes(e.currentTarget.value) })}
        />
      </label>
      {!disabled && <ExemptFromFile set={(communes) => up({ ramed_exempt_communes: communes })} />}
      <h3>{t('targeting')}</h3>
      <ListTable testid="targets" headings={['cycles', 'milieu', 'indicator_name', 'min_value', 'and_conditions', 'communes_codes', '']}>
      {p.targets.map((r, i) => (
        <tr>
          <td>
            <select value={r.cycle} onChange={(e) => setTarget(i, { cycle: e.currentTarget.value })}>
              {cycleCodes().map((c) => (
                <option value={c}>{label('cycle', c)}</option>
              ))}
            </select>
          </td>
          <td>
            <select value={r.milieu} name={'milieu-' + i} onChange={(e) => setTarget(i, { milieu: e.currentTarget.value })}>
              <option value="">{t('all')}</option>
              {['rural', 'urban'].map((m) => (
                <option value={m}>{label('milieu', m)}</option>
              ))}
            </select>
          </td>
          <td>
            <input
              dir="ltr"
              name={'indicator-' + i}
              value={r.indicator}
              placeholder="poverty_rate"
              onInput={(e) => setTarget(i, { indicator: e.currentTarget.value.trim() })}
            />
          </td>
          <td>
            <input
              type="number"
              step="any"
              name={'min-' + i}
              value={r.min_value}
              onInput={(e) => setTarget(i, { min_value: Number(e.currentTarget.value) })}
            />
          </td>
          <td>
            <AndConditions name={'and-' + i} value={r.and_indicators ?? []} set={(and_indicators) => setTarget(i, { and_indicators })} />
          </td>
          <td>
            <input dir="ltr" value={r.communes.join(' ')} onChange={(e) => setTarget(i, { communes: codes(e.currentTarget.value) })} />
          </td>
          <td>
            <button type="button" class="secondary" onClick={() => up({ targets: p.targets.filter((_, j) => j !== i) })}>
              {t('remove')}
            </button>
          </td>
        </tr>
      ))}
      </ListTable>
      <p>
        <button
          type="button"
          class="secondary"
          data-testid="add-rule"
          onClick={() => up({ targets: [...p.targets, { cycle: 'college', communes: [], milieu: 'urban', indicator: '', min_value: 0, and_indicators: [] }] })}
        >
          {t('add_rule')}
        </button>
      </p>
      <h3>{t('periods_title')}</h3>
      {p.periods.map((per, i) => (
        <div class="period">
          <div class="inline-form">
            <input class="short" dir="ltr" value={per.code} aria-label={t('code')} onInput={(e) => setPeriod(i, { code: e.currentTarget.value })} />
            <input value={per.name_ar} dir="rtl" aria-label={t('name_ar')} onInput={(e) => setPeriod(i, { name_ar: e.currentTarget.value })} />
            <input value={per.name_fr} dir="ltr" aria-label={t('name_fr')} onInput={(e) => setPeriod(i, { name_fr: e.currentTarget.value })} />
            <button type="button" class="secondary" onClick={() => up({ periods: p.periods.filter((_, j) => j !== i) })}>
              {t('remove')}
            </button>
          </div>
          <MonthBoxes all={p.months} on={per.months} set={(m) => setPeriod(i, { months: m })} name={'period-' + i} />
        </div>
      ))}
      <p>
        <button
          type="button"
          class="secondary"
          onClick={() => up({ periods: [...p.periods, { code: 'T' + (p.periods.length + 1), name_ar: '', name_fr: '', months: [] }] })}
        >
          {t('add_period')}
        </button>
      </p>
    </fieldset>
  );
}

function Diff({ a, b, money }: { a: number; b: number; money?: boolean }) {
  const d = b - a;
  const f = money ? mad : num;
  return (
    <td class={'num' + (d > 0 ? ' up' : d < 0 ? ' down' : '')}>
      <bdi dir="ltr">{(d > 0 ? '+' : '') + f(d)}</bdi>
    </td>
  );
}

function ChangeTable({ title, changes, name }: { title: string; changes: { count: number; items: Change[] }; name: string }) {
  return (
    <>
      <h3>{title}</h3>
      {changes.count > changes.items.length && <p class="muted">{t('shown_first', changes.items.length)}</p>}
      {changes.items.length > 0 && (
        <div class="table-wrap">
          <table class="list" data-testid={name}>
            <thead>
              <tr>
                <th>{t('massar')}</th>
                <th>{t('school')}</th>
                <th>{t('directorate')}</th>
                <th>{t('decision_base')}</th>
                <th>{t('decision_variant')}</th>
                <th>
                  {t('monthly')} · {t('in_force')}
                </th>
                <th>
                  {t('monthly')} · {t('variant')}
                </th>
              </tr>
            </thead>
            <tbody>
              {changes.items.map((c) => (
                <tr>
                  <td class="code">
                    <a href={'#/pupil/' + encodeURIComponent(c.massar)}>{c.massar}</a>
                  </td>
                  <td class="code">{c.school}</td>
                  <td class="code">{c.directorate}</td>
                  <td>{label('tayssir_reasons', c.reason_base)}</td>
                  <td>{label('tayssir_reasons', c.reason_variant)}</td>
                  <td class="num">{mad(c.monthly_base)}</td>
                  <td class="num">{mad(c.monthly_variant)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function WhatIfResult({ w }: { w: WhatIf }) {
  const row = (r: WhatIfRow, total: boolean) => (
    <tr class={total ? 'total' : ''}>
      <td>{total ? t('total') : pick(r.name_ar, r.name_fr) || r.directorate}</td>
      <td class="num">{num(r.base.beneficiaries)}</td>
      <td class="num">{num(r.variant.beneficiaries)}</td>
      <Diff a={r.base.beneficiaries} b={r.variant.beneficiaries} />
      <td class="num">{num(r.base.households)}</td>
      <td class="num">{num(r.variant.households)}</td>
      <td class="num">{mad(r.base.cost)}</td>
      <td class="num">{mad(r.variant.cost)}</td>
      <Diff a={r.base.cost} b={r.variant.cost} money />
    </tr>
  );
  return (
    <div data-testid="whatif-result">
      <div class="table-wrap">
        <table class="list">
          <thead>
            <tr>
              <th rowSpan={2}>{t('directorate')}</th>
              <th colSpan={3}>{t('beneficiaries')}</th>
              <th colSpan={2}>{t('households')}</th>
              <th colSpan={3}>{t('cost')}</th>
            </tr>
            <tr>
              <th>{t('in_force')}</th>
              <th>{t('variant')}</th>
              <th>{t('difference')}</th>
              <th>{t('in_force')}</th>
              <th>{t('variant')}</th>
              <th>{t('in_force')}</th>
              <th>{t('variant')}</th>
              <th>{t('difference')}</th>
            </tr>
          </thead>
          <tbody>
            {w.by_directorate.map((r) => row(r, false))}
            {row(w.total, true)}
          </tbody>
        </table>
      </div>
      <ChangeTable title={t('entering', num(w.entering.count))} changes={w.entering} name="entering" />
      <ChangeTable title={t('leaving', num(w.leaving.count))} changes={w.leaving} name="leaving" />
    </div>
  );
}

export function PolicyPage({ code, me }: { code: string; me: Principal }) {
  const policies = useLoad(() => api.get('/tayssir/policies'), [code]);
  const info = policies.data?.find((p) => p.code === code);
  const [draft, setDraft] = useState<PolicyRules | null>(null);
  const [msg, setMsg] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [simulating, setSimulating] = useState(false);
  const [newCode, setNewCode] = useState('');
  const [newYear, setNewYear] = useState('');
  const [scope, setScope] = useState('');
  const [whatIf, setWhatIf] = useState<WhatIf | null>(null);
  useEffect(() => {
    if (info) {
      setDraft(JSON.parse(JSON.stringify(info.policy)));
      setNewYear(info.school_year);
    }
  }, [policies.data, code]);

  const editor = me.actions.includes('tayssir_policy') && me.scope.kind === 'nation';
  const canSave = editor && info !== undefined && !info.frozen;
  const canPlan = me.actions.includes('tayssir_plan');
  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setMsg('');
    setError('');
    try {
      await fn();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const variantBody = () => ({ base: code, variant_policy: { ...draft!, code: code + '-variant' }, scope: scope.trim() || undefined });
  const save = () =>
    run(async () => {
      await api.post('/tayssir/policies/{code}', { path: { code }, body: draft! });
      setMsg(t('saved'));
      policies.reload();
    });
  const copy = (e: Event) => {
    e.preventDefault();
    run(async () => {
      await api.post('/tayssir/policies', { body: { from: code, code: newCode.trim(), school_year: newYear.trim() } });
      setMsg(t('copied', newCode.trim()));
      location.hash = '#/tayssir-policy/' + encodeURIComponent(newCode.trim());
    });
  };
  const simulate = async () => {
    // The whole country is millions of pupils, loaded and decided twice: minutes, not seconds.
    const target = scope.trim() || me.scope.code || 'MA';
    if (
      target.toUpperCase() === 'MA' &&
      !(await confirmFirst({ ask: t('whatif_national_ask'), consequence: t('whatif_national'), yes: t('run_anyway') }))
    )
      return;
    return run(async () => {
      setWhatIf(null);
      setSimulating(true);
      try {
        setWhatIf(await api.post('/tayssir/whatif', { body: variantBody() }));
      } finally {
        setSimulating(false);
      }
    });
  };
  const download = () =>
    run(() => postDownload(href('/tayssir/whatif/changes', { query: { lang: lang.get(), format: 'xlsx' } }), `whatif-${code}.xlsx`, variantBody()));

  if (!info || !draft)
    return (
      <section>
        <Spinner on={policies.loading} />
        <Problem error={policies.error} />
        {policies.data && !info && <p class="notice">{t('not_found')}</p>}
      </section>
    );
  return (
    <section>
      <BackLink href="#/tayssir" text={t('nav_tayssir')} />
      <h1>{t('policy_title', pick(info.name_ar, info.name_fr) || info.code)}</h1>
      <p class="muted">
        <span class="code">{info.code}</span> · {t('year')} {info.school_year}
      </p>
      {info.frozen && <p class="notice" data-testid="frozen">{t('frozen_note')}</p>}
      {info.warnings.map((w) => (
        <p class="notice" data-testid="policy-warning">
          {pick(w.message_ar, w.message_fr)}
        </p>
      ))}
      {!editor && canPlan && <p class="notice">{t('read_only_note')}</p>}
      <div class="card">
        <PolicyForm p={draft} set={(f) => setDraft((cur) => (cur ? f(cur) : cur))} disabled={busy || (!canSave && !canPlan)} />
        <p class="actions">
          {canSave && (
            <button type="button" disabled={busy} onClick={save} data-testid="save-policy">
              {t('save_policy')}
            </button>
          )}
          {(canSave || canPlan) && (
            <button type="button" class="secondary" disabled={busy} onClick={() => setDraft(JSON.parse(JSON.stringify(info.policy)))}>
              {t('cancel')}
            </button>
          )}
        </p>
      </div>
      <Notice kind="ok">{msg}</Notice>
      {error && (
        <p class="error" role="alert" style="white-space: pre-line">
          {error}
        </p>
      )}
      {editor && (
        <form class="card inline-form" onSubmit={copy} data-testid="copy-policy">
          <strong>{t('copy_policy')}</strong>
          <label>
            {t('new_code')}
            <input dir="ltr" required name="new_code" value={newCode} onInput={(e) => setNewCode(e.currentTarget.value)} />
          </label>
          <label>
            {t('year')}
            <input dir="ltr" required name="new_year" value={newYear} pattern="\d{4}-\d{4}" onInput={(e) => setNewYear(e.currentTarget.value)} />
          </label>
          <button type="submit" disabled={busy}>
            {t('copy_policy')}
          </button>
        </form>
      )}
      {canPlan && (
        <div class="card" data-testid="whatif">
          <h2>{t('whatif_title')}</h2>
          <p>{t('whatif_help')}</p>
          <div class="inline-form">
            <label>
              {t('scope')}
              <input dir="ltr" name="scope" value={scope} placeholder={me.scope.code || 'MA'} onInput={(e) => setScope(e.currentTarget.value)} />
            </label>
            <button type="button" disabled={busy} onClick={simulate} data-testid="run-whatif">
              {t('run_whatif')}
            </button>
            {whatIf && me.actions.includes('export_data') && (
              <button type="button" class="secondary" disabled={busy} onClick={download}>
                {t('download_changes')}
              </button>
            )}
          </div>
          {simulating && <p aria-live="polite">{t('whatif_running', scope.trim() || me.scope.code || 'MA')}</p>}
          {whatIf && <WhatIfResult w={whatIf} />}
        </div>
      )}
    </section>
  );
}
