import { useState } from 'preact/hooks';
import { api, ApiError, type Answer, type Principal } from '../../core/api';
import { date, num, pick, t, type Key } from '../../core/i18n';
import { confirmFirst } from '../../core/forms';
import { Notice } from '../../core/util';

type Report = Answer<'/imports/{kind}', 'post'>;
type Issue = Report['issues'][number];

// Rows of a report: where (row, column), the value, and why, in the interface's language.
function IssueTable({ issues, testid }: { issues: Issue[]; testid: string }) {
  return (
    <table class="list" data-testid={testid}>
      <thead>
        <tr>
          <th class="n">{t('row')}</th>
          <th>{t('column')}</th>
          <th>{t('value')}</th>
          <th>{t('reason')}</th>
        </tr>
      </thead>
      <tbody>
        {issues.map((i) => (
          <tr>
            <td class="n">{i.row}</td>
            <td>{i.column}</td>
            <td class="code">{i.value}</td>
            <td dir="auto">{pick(i.reason_ar, i.reason_fr) || i.reason}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ImportPage({ me }: { me: Principal }) {
  const kinds = ['pupils', 'households', 'absences'];
  if (['nation', 'region', 'directorate'].includes(me.scope.kind)) kinds.unshift('schools');
  const [kind, setKind] = useState('pupils');
  const [file, setFile] = useState<File | null>(null);
  const [report, setReport] = useState<Report | null>(null);
  const [done, setDone] = useState<Report | null>(null);
  const [skip, setSkip] = useState(false);
  const [acceptIdentity, setAcceptIdentity] = useState(false);
  const [replace, setReplace] = useState(false);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const replacing = kind === 'absences' && replace;
  const send = async (commit: boolean, accept = acceptIdentity) => {
    if (!file) return;
    // Changing who pupils are (names, sex, birth date) is asked first, naming what follows.
    if (
      commit &&
      (kind === 'pupils' || kind === 'households') &&
      accept &&
      !(await confirmFirst({
        ask: t('confirm_identity_ask'),
        consequence: t('confirm_identity_then'),
        yes: t('confirm_import'),
        danger: true,
      }))
    )
      return;
    setBusy(true);
    setError('');
    try {
      const r = await api.upload('/imports/{kind}', file, {
        path: { kind },
        query: {
          file: file.name,
          commit: commit ? 1 : undefined,
          skip_invalid: skip ? 1 : undefined,
          accept_identity_changes: (kind === 'pupils' || kind === 'households') && accept ? 1 : undefined,
          replace_from: replacing ? from : undefined,
          replace_to: replacing ? to : undefined,
        },
      });
      if (commit) {
        setDone(r);
        setReport(null);
      } else {
        setReport(r);
        setDone(null);
      }
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };
  const reset = () => {
    setAcceptIdentity(false);
    setReport(null);
    setDone(null);
    setConfirming(false);
    setError('');
  };
  const writable = report && report.rows_valid + report.rows_held > 0 && (report.rows_rejected === 0 || skip);
  return (
    <section>
      <h1>{t('import_title')}</h1>
      <form
        class="card form"
        onSubmit={(e) => {
          e.preventDefault();
          send(false);
        }}
      >
        <label>
          {t('import_kind')}
          <select
            name="kind"
            value={kind}
            onChange={(e) => {
              setKind(e.currentTarget.value);
              reset();
            }}
          >
            {kinds.map((k) => (
              <option value={k}>{t(('kind_' + k) as Key)}</option>
            ))}
          </select>
        </label>
        <label>
          {t('file')}
          <input
            type="file"
            name="file"
            accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            onChange={(e) => {
              setFile(e.currentTarget.files?.[0] ?? null);
              reset();
            }}
            required
          />
        </label>
        {kind === 'absences' && (
          <fieldset class="period">
            <label class="check">
              <input
                type="checkbox"
                name="replace"
                checked={replace}
                onChange={(e) => {
                  setReplace(e.currentTarget.checked);
                  reset();
                }}
              />{' '}
              {t('replace_period')}
            </label>
            {replace && (
              <>
                <label>
                  {t('period_from')}
                  <input type="date" name="replace_from" value={from} required onChange={(e) => (setFrom(e.currentTarget.value), reset())} />
                </label>
                <label>
                  {t('period_to')}
                  <input type="date" name="replace_to" value={to} required onChange={(e) => (setTo(e.currentTarget.value), reset())} />
                </label>
              </>
            )}
          </fieldset>
        )}
        <button type="submit" disabled={!file || busy}>
          {busy && !confirming ? t('loading') : t('check')}
        </button>
      </form>
      <Notice kind="error">{error}</Notice>
      {report && (
        <div class="card" data-testid="report">
          <div class="stats">
            <div>
              <strong>{num(report.rows_read)}</strong>
              <span>{t('rows_read')}</span>
            </div>
            <div>
              <strong>{num(report.rows_valid)}</strong>
              <span>{t('rows_valid')}</span>
            </div>
            <div class={report.rows_rejected ? 'bad' : ''}>
              <strong>{num(report.rows_rejected)}</strong>
              <span>{t('rows_rejected')}</span>
            </div>
          </div>
          {report.warnings.map((w) => (
            <p class="notice">{w}</p>
          ))}
          <p class={report.rows_rejected ? 'error' : 'ok'} role="status">
            {report.rows_rejected ? t('report_bad') : t('report_ok')}
          </p>
          {report.issues.length > 0 && (
            <div class="table-wrap">
              <IssueTable issues={report.issues} testid="issues" />
              {report.issues_total > report.issues.length && <p class="muted">{t('more_issues', num(report.issues.length), num(report.issues_total))}</p>}
            </div>
          )}
          {report.rows_held > 0 && (
            <div class="table-wrap">
              <p class="notice" data-testid="held-note">
                <strong>{num(report.rows_held)}</strong> {t('rows_held')}: {t('held_help')}
              </p>
              <IssueTable issues={report.held} testid="held" />
            </div>
          )}
          {replacing && report.rows_rejected === 0 && (
            <p class="notice" data-testid="replace-note">
              {t('replace_note', date(from), date(to), num(report.replaced_schools.length), num(report.to_delete))}
            </p>
          )}
          {(kind === 'pupils' || kind === 'households') && (report.identity_changes > 0 || acceptIdentity) && (
            <label class="check">
              <input
                type="checkbox"
                data-testid="accept-identity"
                checked={acceptIdentity}
                disabled={busy}
                onChange={(e) => {
                  const on = e.currentTarget.checked;
                  setAcceptIdentity(on);
                  send(false, on); // checked again: the changes are then counted as updates
                }}
              />{' '}
              {t('accept_identity')}
            </label>
          )}
          {report.rows_rejected > 0 && report.rows_valid > 0 && !replacing && (
            <label class="check">
              <input type="checkbox" checked={skip} onChange={(e) => setSkip(e.currentTarget.checked)} /> {t('skip_invalid')}
            </label>
          )}
          {!confirming ? (
            <button type="button" disabled={!writable || busy} onClick={() => setConfirming(true)}>
              {t('confirm_import')}
            </button>
          ) : (
            <div class="confirm" role="alertdialog">
              <p>{t('confirm_q', num(report.rows_valid))}</p>
              {replacing && report.to_delete > 0 && <p class="bad">{t('replace_note', date(from), date(to), num(report.replaced_schools.length), num(report.to_delete))}</p>}
              <button type="button" disabled={busy} onClick={() => send(true)}>
                {t('confirm_import')}
              </button>
              <button type="button" class="secondary" disabled={busy} onClick={() => setConfirming(false)}>
                {t('cancel')}
              </button>
            </div>
          )}
        </div>
      )}
      {done && (
        <div class="card" data-testid="done">
          <p class="ok" role="status">
            {t('imported')}
          </p>
          {done.counts.requests && done.counts.requests.inserted + done.counts.requests.updated + done.counts.requests.unchanged > 0 && (
            <p class="notice" data-testid="requests-sent">
              <a href="#/requests">{t('requests_sent', num(done.counts.requests.inserted + done.counts.requests.updated + done.counts.requests.unchanged))}</a>
            </p>
          )}
          <ul>
            {Object.entries(done.counts).map(([what, c]) => (
              <li>
                <strong>{what}</strong>: {num(c.inserted)} {t('inserted')} · {num(c.updated)} {t('updated')} · {num(c.unchanged)}{' '}
                {t('unchanged')}
                {c.deleted > 0 && (
                  <>
                    {' · '}
                    {num(c.deleted)} {t('deleted')}
                  </>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
