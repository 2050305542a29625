// Import requests: rows of another scope's import that named one of our pupils (a transfer) or
// households (a link), for us to accept or refuse; and the rows of our imports held for another
// scope, to follow. Accepting moves a pupil or links him to a household: it asks first.
import { useState } from 'preact/hooks';
import { api, type Schema } from '../../core/api';
import { date, label, num, pick, t, type Key } from '../../core/i18n';
import { errorText, Problem, Spinner, useLoad, Notice } from '../../core/util';

type Request = Schema<'ImportRequest'>;

const today = () => new Date().toISOString().slice(0, 10);
// A school year's first and last day ("2025-2026" → 2025-09-01, 2026-08-31).
const yearBounds = (y: string) => [y.slice(0, 4) + '-09-01', y.slice(5, 9) + '-08-31'];

function RequestCard({ r, box, onDone }: { r: Request; box: string; onDone: () => void }) {
  const [note, setNote] = useState('');
  const [first, last] = yearBounds(r.school_year || '');
  const [left, setLeft] = useState(today() < last ? today() : last);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const decide = async (accept: boolean) => {
    setBusy(true);
    setError('');
    try {
      await (accept
        ? api.post('/requests/{id}/accept', { path: { id: r.id }, body: { note, left_date: r.kind === 'transfer' ? left : undefined } })
        : api.post('/requests/{id}/refuse', { path: { id: r.id }, body: { note } }));
      onDone();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };
  const name = `${r.pupil.last_ar} ${r.pupil.first_ar}`.trim();
  const school = pick(r.asking_school.name_ar, r.asking_school.name_fr) || r.asking_school.code;
  return (
    <div class={'card request ' + r.state} data-testid="request">
      <div class="card-head">
        <h3>{t(('request_' + r.kind) as Key)}</h3>
        <span class={'state ' + (r.state === 'pending' ? 'draft' : r.state === 'accepted' ? 'closed' : 'refused')} data-testid="request-state">
          {t(('request_state_' + r.state) as Key)}
        </span>
      </div>
      <dl class="facts">
        <dt>{t('massar')}</dt>
        <dd class="code">{box === 'incoming' ? <a href={'#/pupil/' + encodeURIComponent(r.massar)}>{r.massar}</a> : r.massar}</dd>
        <dt>{t('name')}</dt>
        <dd lang="ar" dir="rtl">
          {name}
        </dd>
        <dt>{t('birth_date')}</dt>
        <dd>{date(r.pupil.birth_date)}</dd>
        <dt>{t('request_asking_school')}</dt>
        <dd>
          {school} <span class="code">({r.asking_school.code})</span>
        </dd>
        {r.kind === 'transfer' && r.asked && (
          <>
            <dt>{t('year')}</dt>
            <dd>{r.school_year}</dd>
            <dt>{t('level')}</dt>
            <dd>
              {label('level', r.asked.level)} · {r.asked.class_name}
            </dd>
          </>
        )}
        {r.kind === 'household_link' && r.household && (
          <>
            <dt>{t('cin')}</dt>
            <dd class="code">{r.household.payee_cin}</dd>
            <dt>{t('request_payee_said')}</dt>
            <dd>
              {r.household.payee_name} {r.relation && <>· {label('relation', r.relation)}</>}
            </dd>
          </>
        )}
        <dt>{t('request_by')}</dt>
        <dd>
          {r.requested_by} · {date(r.requested_at)} · <span class="code">{r.file}</span> ({t('row')} {num(r.file_row)})
        </dd>
        {r.state !== 'pending' && (
          <>
            <dt>{t('request_decided')}</dt>
            <dd>
              {r.decided_by} · {date(r.decided_at)}
              {r.note && <> · {r.note}</>}
            </dd>
          </>
        )}
      </dl>
      {r.may_decide &&
        (!confirming ? (
          <div class="inline-form">
            {r.kind === 'transfer' && (
              <label>
                {t('request_left_date')}
                <input type="date" value={left} min={first} max={today() < last ? today() : last} onInput={(e) => setLeft(e.currentTarget.value)} />
              </label>
            )}
            <input value={note} placeholder={t('note')} aria-label={t('note')} onInput={(e) => setNote(e.currentTarget.value)} />
            <button type="button" disabled={busy} onClick={() => setConfirming(true)}>
              {t('request_accept')}
            </button>
            <button type="button" class="secondary" disabled={busy || !note.trim()} title={note.trim() ? '' : t('request_refuse_needs_note')} onClick={() => decide(false)}>
              {t('request_refuse')}
            </button>
          </div>
        ) : (
          <div class="confirm" role="alertdialog">
            <p>{r.kind === 'transfer' ? t('request_confirm_transfer', name, school, date(left)) : t('request_confirm_link', name, r.household?.payee_cin ?? '')}</p>
            <button type="button" disabled={busy} onClick={() => decide(true)}>
              {t('request_accept')}
            </button>
            <button type="button" class="secondary" disabled={busy} onClick={() => setConfirming(false)}>
              {t('cancel')}
            </button>
          </div>
        ))}
      <Notice kind="error">{error}</Notice>
    </div>
  );
}

export function RequestsPage() {
  const [box, setBox] = useState<'incoming' | 'outgoing'>('incoming');
  const [state, setState] = useState('pending');
  const r = useLoad(() => api.get('/requests', { query: { box, state } }), [box, state]);
  const d = r.data;
  return (
    <section>
      <h1>{t('requests_title')}</h1>
      <p class="muted">{t('requests_help')}</p>
      <div class="filters">
        <span class="toggle" role="tablist">
          {(['incoming', 'outgoing'] as const).map((b) => (
            <button type="button" role="tab" aria-selected={box === b} class={box === b ? 'on' : ''} data-testid={'box-' + b} onClick={() => setBox(b)}>
              {t(('requests_' + b) as Key)}
              {d && d.pending[b] > 0 && <span class="badge">{num(d.pending[b])}</span>}
            </button>
          ))}
        </span>
        <label>
          {t('request_state')}
          <select value={state} onChange={(e) => setState(e.currentTarget.value)}>
            <option value="pending">{t('request_state_pending')}</option>
            <option value="accepted">{t('request_state_accepted')}</option>
            <option value="refused">{t('request_state_refused')}</option>
            <option value="">{t('all')}</option>
          </select>
        </label>
      </div>
      <Spinner on={r.loading && !d} />
      <Problem error={r.error} />
      {d && d.items.length === 0 && <p class="notice">{t('requests_none')}</p>}
      {d && d.items.map((x) => <RequestCard key={x.id} r={x} box={box} onDone={r.reload} />)}
    </section>
  );
}
