// Suspected duplicates of a policy's year within the reviewer's scope: a child enrolled twice, a
// payee under two CINs. Nothing is merged by itself: the reviewer compares both sides and decides
// "the same" (paid once) or "distinct"; every decision is audited.
import { useState } from 'preact/hooks';
import { api, type Answer, type Schema } from '../../core/api';
import { date, label, lang, num, t, type Key } from '../../core/i18n';
import { BackLink, errorText, Pager, Problem, Spinner, useLoad, Notice } from '../../core/util';

type Side = Schema<'SuspectSide'>;
type Pair = Answer<'/tayssir/suspects'>['items'][number];

// What matched, as the server says it in the interface's language.
const why = (p: Pair) => (lang.get() === 'ar' ? p.why_ar : p.why_fr) || p.why;

function SideCard({ kind, s }: { kind: string; s: Side }) {
  if (kind === 'pupil')
    return (
      <dl class="facts">
        <dt>{t('massar')}</dt>
        <dd class="code">
          <a href={'#/pupil/' + encodeURIComponent(s.code)}>{s.code}</a>
        </dd>
        <dt>{t('name')}</dt>
        <dd>
          <span lang="ar" dir="rtl">
            {s.name_ar}
          </span>
          {s.name_fr && (
            <>
              {' · '}
              <span lang="fr" dir="ltr">
                {s.name_fr}
              </span>
            </>
          )}
        </dd>
        <dt>{t('birth_date')}</dt>
        <dd>{date(s.birth_date)}</dd>
        <dt>{t('sex')}</dt>
        <dd>{label('sex', s.sex)}</dd>
        <dt>{t('school')}</dt>
        <dd class="code">{s.school ? <a href={'#/school/' + encodeURIComponent(s.school)}>{s.school}</a> : '—'}</dd>
        <dt>{t('level')}</dt>
        <dd>{label('level', s.level)}</dd>
        <dt>
          {t('payee')} ({t('cin')})
        </dt>
        <dd class="code">{s.payee_cin || '—'}</dd>
      </dl>
    );
  return (
    <dl class="facts">
      <dt>{t('cin')}</dt>
      <dd class="code">{s.code}</dd>
      <dt>{t('payee')}</dt>
      <dd>{s.payee_name}</dd>
      <dt>{t('phone')}</dt>
      <dd class="code">{s.phone || '—'}</dd>
      <dt>{t('ramed')}</dt>
      <dd class="code">{s.ramed || '—'}</dd>
      <dt>{t('children_codes')}</dt>
      <dd class="code">
        {(s.children ?? []).map((m) => (
          <>
            <a href={'#/pupil/' + encodeURIComponent(m)}>{m}</a>{' '}
          </>
        ))}
      </dd>
    </dl>
  );
}

function PairCard({ p, onDone }: { p: Pair; onDone: () => void }) {
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const decide = async (decision: 'same' | 'distinct') => {
    setBusy(true);
    setError('');
    try {
      await api.post('/tayssir/suspects/review', { body: { kind: p.kind, a: p.a.code, b: p.b.code, decision, note } });
      onDone();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class={'card pair' + (p.decision ? ' decided' : '')} data-testid="pair">
      <div class="card-head">
        <h3>{why(p)}</h3>
        <span class={'state ' + (p.decision || 'draft')} data-testid="decision">
          {p.decision ? t(('decision_' + p.decision) as Key) : t('decision_pending')}
        </span>
      </div>
      <div class="grid2">
        <SideCard kind={p.kind} s={p.a} />
        <SideCard kind={p.kind} s={p.b} />
      </div>
      <div class="inline-form">
        <input value={note} placeholder={t('note')} aria-label={t('note')} onInput={(e) => setNote(e.currentTarget.value)} />
        <button type="button" disabled={busy} onClick={() => decide('same')}>
          {t(p.kind === 'pupil' ? 'same_pupil' : 'same_payee')}
        </button>
        <button type="button" class="secondary" disabled={busy} onClick={() => decide('distinct')}>
          {t(p.kind === 'pupil' ? 'distinct_pupils' : 'distinct_payees')}
        </button>
      </div>
      <Notice kind="error">{error}</Notice>
    </div>
  );
}

export function SuspectsPage({ policy }: { policy: string }) {
  const [page, setPage] = useState(1);
  const r = useLoad(() => api.get('/tayssir/suspects', { query: { policy, page, page_size: 20 } }), [policy, page]);
  const d = r.data;
  const pages = d ? Math.max(1, Math.ceil(d.total / d.page_size)) : 1;
  return (
    <section>
      <BackLink href="#/tayssir" text={t('nav_tayssir')} />
      <h1>{t('suspects_title', policy)}</h1>
      <p class="muted">{t('suspects_help')}</p>
      <Spinner on={r.loading && !d} />
      <Problem error={r.error} />
      {d && (
        <>
          <p data-testid="suspects-summary">{t('suspects_summary', num(d.total), num(d.pending))}</p>
          {d.outside > 0 && <p class="notice">{t('suspects_outside', num(d.outside))}</p>}
          {d.items.length === 0 && <p class="notice">{t('no_results')}</p>}
          <div class={r.loading ? 'stale' : ''}>
            {d.items.map((p) => (
              <PairCard key={p.kind + p.a.code + p.b.code} p={p} onDone={r.reload} />
            ))}
          </div>
          <Pager page={d.page} pages={pages} go={setPage} />
        </>
      )}
    </section>
  );
}
