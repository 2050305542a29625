// The history of a record (a pupil, a school): what imports changed in it, field by field, with
// who, when, from where and which file. The server gives it newest first.
import { api, type Schema } from '../api';
import { date, label, t, type Key } from '../i18n';
import { CsvButton, Problem, useLoad, ListTable } from '../util';

type Change = Schema<'PupilChange'>;

// A column of the registry → the label the pages use for it.
const fieldKeys: Record<string, Key> = {
  last_ar: 'last_name',
  first_ar: 'first_name',
  last_fr: 'last_name',
  first_fr: 'first_name',
  sex: 'sex',
  birth_date: 'birth_date',
  birth_place: 'birth_place',
  level: 'level',
  class_name: 'class',
  status: 'status',
  transfer_to: 'transfer_to',
  left_date: 'left_date',
  justified: 'justified',
  relation: 'relation',
  payee_cin: 'cin',
  payee_name: 'payee',
  phone: 'phone',
  ramed: 'ramed',
  name_ar: 'name_ar',
  name_fr: 'name_fr',
  cycles: 'cycles',
  commune_code: 'kind_commune',
  milieu: 'milieu',
  sector: 'sector',
  boarding_beds: 'boarding_beds',
  canteen: 'canteen',
};
const scripts: Record<string, Key> = { last_ar: 'script_ar', first_ar: 'script_ar', last_fr: 'script_fr', first_fr: 'script_fr' };

function fieldName(column: string): string {
  const key = fieldKeys[column];
  if (!key) return column;
  return scripts[column] ? `${t(key)} (${t(scripts[column])})` : t(key);
}

function shown(column: string, v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (column === 'justified' || column === 'canteen') return t(v ? 'yes' : 'no');
  if (['status', 'level', 'sex', 'milieu', 'relation', 'sector'].includes(column))
    return label(column, String(v));
  if (column.endsWith('_date')) return date(String(v));
  return String(v);
}

function what(c: Change): string {
  const kind = t(('change_kind_' + c.kind) as Key);
  if (c.kind === 'absence') return `${kind} ${date(c.part)}`;
  if (c.kind === 'enrolment') {
    const [year, school] = c.part.split(' ');
    return `${kind} ${year} — ${school}`;
  }
  return kind;
}

export function Changes({ of, code }: { of: 'pupil' | 'school'; code: string }) {
  const r = useLoad(
    (): Promise<Change[]> =>
      of === 'pupil'
        ? api.get('/pupils/{massar}/history', { path: { massar: code } })
        : api.get('/schools/{code}/history', { path: { code } }),
    [of, code],
  );
  return (
    <>
      <h2>{t('changes_title')}</h2>
      <p class="muted">{t('changes_help')}</p>
      <Problem error={r.error} />
      {r.data && r.data.length === 0 && <p class="notice">{t('no_changes')}</p>}
      {r.data && r.data.length > 0 && (
        <p class="actions">
          <CsvButton table="changes" name={'history-' + code} />
        </p>
      )}
      {r.data && r.data.length > 0 && (
        <ListTable testid="changes" headings={['at', 'actor', 'origin', 'change_file', 'change_what', 'change_field', 'before', 'after']}>
        {r.data.flatMap((c) =>
          Object.entries(c.fields).map(([column, [before, after]]) => (
            <tr>
              <td>{date(c.at)}</td>
              <td dir="ltr">{c.actor}</td>
              <td dir="ltr">{c.origin}</td>
              <td dir="ltr">{c.file}</td>
              <td>{what(c)}</td>
              <td>{fieldName(column)}</td>
              <td>{shown(column, before)}</td>
              <td>{shown(column, after)}</td>
            </tr>
          )),
        )}
        </ListTable>
      )}
    </>
  );
}
