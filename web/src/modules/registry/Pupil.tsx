import { api } from '../../core/api';
import { date, label, monthName, num, pick, t } from '../../core/i18n';
import { Problem, Spinner, useLoad, ListTable } from '../../core/util';
import { Changes } from '../../core/pages/Changes';

export function PupilPage({ massar }: { massar: string }) {
  const r = useLoad(() => api.get('/pupils/{massar}', { path: { massar } }), [massar]);
  const p = r.data;
  return (
    <section>
      <Spinner on={r.loading && !p} />
      <Problem error={r.error} />
      {p && (
        <>
          <div class="page-head">
            <div>
              <p class="kind">
                {t('massar')} <span class="code">{p.massar}</span>
              </p>
              <h1 data-testid="pupil-name">{pick(`${p.first_ar} ${p.last_ar}`, p.first_fr ? `${p.first_fr} ${p.last_fr}` : '')}</h1>
              <p class="muted">
                {pick(p.first_fr ? `${p.first_fr} ${p.last_fr}` : '', `${p.first_ar} ${p.last_ar}`)}
              </p>
            </div>
          </div>
          <dl class="facts">
            <div>
              <dt>{t('sex')}</dt>
              <dd>{label('sex', p.sex)}</dd>
            </div>
            <div>
              <dt>{t('birth_date')}</dt>
              <dd class="code">{date(p.birth_date)}</dd>
            </div>
            <div>
              <dt>{t('birth_place')}</dt>
              <dd>{p.birth_place}</dd>
            </div>
          </dl>

          <h2>{t('history')}</h2>
          <ListTable testid="history" headings={['year', 'school', 'level', 'class', 'status']}>
          {p.history.map((h) => (
            <tr>
              <td class="code">{h.school_year}</td>
              <td>
                {h.in_scope ? (
                  <a href={'#/school/' + encodeURIComponent(h.school)}>{pick(h.school_name_ar, h.school_name_fr)}</a>
                ) : (
                  <span class="muted">{t('other_school')}</span>
                )}{' '}
                <span class="code">{h.school}</span>
              </td>
              <td>{label('level', h.level)}</td>
              <td>{h.class}</td>
              <td>
                {label('status', h.status)}
                {h.transfer_to && ` — ${t('transfer_to')} ${h.transfer_to}`}
                {h.transfer_elsewhere && ` — ${t('transfer_elsewhere')}`}
                {h.left_date && ` — ${date(h.left_date)}`}
              </td>
            </tr>
          ))}
          </ListTable>

          <h2>{t('household')}</h2>
          {p.household ? (
            <>
              <dl class="facts">
                <div>
                  <dt>{t('payee')}</dt>
                  <dd>{p.household.payee_name}</dd>
                </div>
                <div>
                  <dt>{t('relation')}</dt>
                  <dd>{label('relation', p.household.relation)}</dd>
                </div>
                <div>
                  <dt>{t('cin')}</dt>
                  <dd class="code">{p.household.payee_cin}</dd>
                </div>
                <div>
                  <dt>{t('phone')}</dt>
                  <dd class="code">{p.household.phone}</dd>
                </div>
                <div>
                  <dt>{t('ramed')}</dt>
                  <dd class="code">{p.household.ramed}</dd>
                </div>
                <div>
                  <dt>{t('children_in_household')}</dt>
                  <dd>{num(p.household.children)}</dd>
                </div>
              </dl>
              {p.household.siblings.length > 0 && (
                <p>
                  {t('siblings')}:{' '}
                  {p.household.siblings.map((s) => (
                    <a class="chip" href={'#/pupil/' + encodeURIComponent(s.massar)}>
                      {pick(`${s.first_ar} ${s.last_ar}`, s.first_fr ? `${s.first_fr} ${s.last_fr}` : '')}
                    </a>
                  ))}
                </p>
              )}
            </>
          ) : (
            <p class="notice">{t('no_household')}</p>
          )}

          <h2>{t('absences')}</h2>
          {p.absences.length === 0 ? (
            <p class="notice">{t('no_absences')}</p>
          ) : (
            <ListTable testid="absences" cls="narrow" headings={['month', ['days', 'n'], ['justified', 'n'], ['unjustified', 'n']]}>
            {p.absences.map((m) => (
              <tr>
                <td>{monthName(m.month)}</td>
                <td class="n">{num(m.days)}</td>
                <td class="n">{num(m.justified)}</td>
                <td class="n">{num(m.unjustified)}</td>
              </tr>
            ))}
            </ListTable>
          )}
          <Changes of="pupil" code={massar} />
        </>
      )}
    </section>
  );
}
