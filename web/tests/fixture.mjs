// Prepares what the browser tests look for, from the test database (through the sqlite3
// shell): the school head's school and a pupil to find by a misspelt name, the other school
// whose data must never show, and a roster for the head's school with one bad row.
// Usage: node fixture.mjs DB EXAMPLE_ROSTER OUT_DIR  (writes OUT_DIR/fixture.json, roster.csv)
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const [db, roster, out] = process.argv.slice(2);
const sql = (q) => JSON.parse(execFileSync('sqlite3', ['-json', db, q], { encoding: 'utf8' }) || '[]');

const head = { login: 'head', school: '03531000B' };
const other = '35310051B';
const [school] = sql(`SELECT code, name_ar, name_fr FROM schools WHERE code = '${head.school}'`);
const [{ year }] = sql('SELECT max(code) AS year FROM school_years');
const pupils = sql(
  `SELECT p.massar, p.first_ar, p.last_ar FROM enrolments e JOIN pupils p ON p.id = e.pupil_id
   JOIN schools s ON s.id = e.school_id WHERE s.code = '${head.school}' AND e.school_year = '${year}'
   ORDER BY p.massar`,
);
// A pupil with a last name of at least five letters and some absences; one letter dropped.
const absent = new Map(
  sql(`SELECT p.massar, count(DISTINCT substr(a.day, 1, 7)) AS months FROM absences a JOIN pupils p ON p.id = a.pupil_id GROUP BY p.massar`).map((r) => [
    r.massar,
    r.months,
  ]),
);
const pick = pupils.find((p) => [...p.last_ar].length >= 5 && absent.get(p.massar) > 0);
if (!pick) throw new Error('no pupil fit for the search test');
const letters = [...pick.last_ar];
letters.splice(2, 1);
const misspelt = `${pick.first_ar} ${letters.join('')}`;

const foreign = sql(
  `SELECT p.massar FROM enrolments e JOIN pupils p ON p.id = e.pupil_id JOIN schools s ON s.id = e.school_id WHERE s.code = '${other}'`,
);
const [foreignSchool] = sql(`SELECT name_ar, name_fr FROM schools WHERE code = '${other}'`);
if (foreign.length === 0) throw new Error('the other school has no pupils');

// The example roster moved to the head's school, with new codes Massar and one impossible date.
const lines = readFileSync(roster, 'utf8').split(/\r?\n/);
let dataRow = 0;
let badRow = 0;
const moved = lines.map((line, i) => {
  let l = line.replaceAll(other, head.school).replaceAll(foreignSchool.name_ar, school.name_ar);
  const m = /^([A-Z])(\d{9});/.exec(l);
  if (!m) return l;
  dataRow++;
  l = 'Q' + l.slice(1);
  if (dataRow === 5) {
    const cells = l.split(';');
    cells[6] = '31/02/2018';
    l = cells.join(';');
    badRow = i + 1;
  }
  return l;
});
writeFileSync(`${out}/roster.csv`, moved.join('\n'));
// The same roster corrected afterwards: the bad row left out, the first pupil's French first name
// respelt. Its page then shows that change, before and after.
let corrected = null;
const correctedLines = moved
  .filter((_, i) => i + 1 !== badRow)
  .map((l) => {
    if (corrected || !/^Q\d{9};/.test(l)) return l;
    const cells = l.split(';');
    corrected = { massar: cells[0], before: cells[4], after: cells[4] + 'e' };
    cells[4] = corrected.after;
    return cells.join(';');
  });
writeFileSync(`${out}/roster-corrected.csv`, correctedLines.join('\n'));

// The head's school's absences of its busiest month, as a file replacing that month, with one
// absence left out: importing it deletes that one.
const [busiest] = sql(
  `SELECT substr(a.day, 1, 7) AS month, count(*) AS n FROM absences a JOIN enrolments e ON e.pupil_id = a.pupil_id
   JOIN schools s ON s.id = e.school_id WHERE s.code = '${head.school}' AND e.school_year = '${year}'
   GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`,
);
if (!busiest || busiest.n < 2) throw new Error("the head's school has no month of absences");
const monthAbsences = sql(
  `SELECT p.massar, a.day, a.justified, (SELECT count(*) FROM enrolments o WHERE o.pupil_id = a.pupil_id AND o.school_year = '${year}') AS schools
   FROM absences a JOIN pupils p ON p.id = a.pupil_id WHERE substr(a.day, 1, 7) = '${busiest.month}'
   AND a.pupil_id IN (SELECT e.pupil_id FROM enrolments e JOIN schools s ON s.id = e.school_id WHERE s.code = '${head.school}'
   AND e.school_year = '${year}') ORDER BY p.massar, a.day`,
);
// The one left out: of a pupil of this school only (one also enrolled elsewhere keeps his).
const dropped = monthAbsences.find((a) => a.schools === 1);
if (!dropped) throw new Error("no absence of a pupil of the head's school only");
const dmy = (iso) => iso.split('-').reverse().join('/');
writeFileSync(
  `${out}/absences-month.csv`,
  ['رقم التلميذ,تاريخ الغياب,مبرر', ...monthAbsences.filter((a) => a !== dropped).map((a) => `${a.massar},${dmy(a.day)},${a.justified ? 'نعم' : 'لا'}`)].join('\n'),
);
const [yy, mm] = busiest.month.split('-').map(Number);
const lastDay = new Date(Date.UTC(yy, mm, 0)).getUTCDate();

const [{ n: dirPupils }] = sql(
  `SELECT count(*) AS n FROM enrolments e JOIN schools s ON s.id = e.school_id JOIN communes c ON c.code = s.commune_code
   WHERE c.directorate_code = '03.531' AND e.school_year = '${year}' AND e.status IN ('enrolled', 'repeating')`,
);

const [cycle] = sql('SELECT id, beneficiaries, pupils FROM tayssir_cycles ORDER BY id LIMIT 1');
if (!cycle || cycle.beneficiaries === 0) throw new Error('no Tayssir cycle with beneficiaries');
// The pupils of 1AP paid by the cycle: those a what-if without an amount for 1AP sees leave.
const [{ n: paid1AP }] = sql(`SELECT count(*) AS n FROM tayssir_lines WHERE cycle_id = ${cycle.id} AND reason = 'eligible' AND level = '1AP'`);
const [twin] = sql(
  `SELECT p.massar FROM pupils p JOIN pupils t ON t.massar = 'T000000001' AND t.last_ar = p.last_ar AND t.first_ar = p.first_ar
   AND t.birth_date = p.birth_date AND p.massar <> t.massar`,
);
if (!twin) throw new Error('the twin of the browser test is missing');

// One of the head's pupils in a roster of the other school (a primary school too): that import
// holds the row as a transfer request, which the head accepts.
const [moving] = sql(
  `SELECT p.massar, p.last_ar, p.first_ar, p.sex, p.birth_date, e.level FROM enrolments e JOIN pupils p ON p.id = e.pupil_id
   JOIN schools s ON s.id = e.school_id WHERE s.code = '${head.school}' AND e.school_year = '${year}' AND e.level LIKE '%AP'
   AND p.massar <> '${pick.massar}' AND (SELECT count(*) FROM enrolments o WHERE o.pupil_id = p.id) = 1 ORDER BY p.massar DESC LIMIT 1`,
);
if (!moving) throw new Error("no pupil of the head's school to transfer");
writeFileSync(
  `${out}/transfer.csv`,
  'Code Massar,Nom (arabe),Prénom (arabe),Sexe,Date de naissance,Code GRESA,Année scolaire,Niveau,Classe\n' +
    `${moving.massar},${moving.last_ar},${moving.first_ar},${moving.sex},${moving.birth_date},${other},${year},${moving.level},${moving.level}-9\n`,
);

writeFileSync(
  `${out}/fixture.json`,
  JSON.stringify(
    {
      password: process.env.TEST_PASSWORD,
      head: { ...head, school_name_ar: school.name_ar, pupils: pupils.length },
      admin: { login: 'admin', directorate: '03.531', directorate_pupils: dirPupils },
      search: {
        massar: pick.massar,
        name_ar: `${pick.first_ar} ${pick.last_ar}`,
        misspelt,
        absent_months: absent.get(pick.massar),
      },
      foreign_markers: [foreignSchool.name_ar, foreignSchool.name_fr, other, ...foreign.map((f) => f.massar)],
      foreign_paths: [`#/school/${other}`, `#/pupil/${foreign[0].massar}`, '#/t/03.531', '#/t/MA', `#/stats/${other}`,
        '#/stats/03.531', `#/stats-pupils/${other}/PUPILS/${year}/-/-/num`],
      tayssir: { cycle: cycle.id, beneficiaries: cycle.beneficiaries, pupils: cycle.pupils, manager: 'manager', paid_1ap: paid1AP,
        policy: 'tayssir-2025-2026', twin: ['T000000001', twin.massar] },
      import: { file: `${out}/roster.csv`, bad_row: badRow, bad_value: '31/02/2018', good_rows: dataRow - 1, year: '2024-2025',
        corrected: { file: `${out}/roster-corrected.csv`, ...corrected } },
      transfer: { file: `${out}/transfer.csv`, massar: moving.massar, name_ar: `${moving.last_ar} ${moving.first_ar}`, to: other },
      replace: { file: `${out}/absences-month.csv`, from: `${busiest.month}-01`, to: `${busiest.month}-${String(lastDay).padStart(2, '0')}`,
        rows: monthAbsences.length - 1, dropped: { massar: dropped.massar, day: dropped.day } },
    },
    null,
    1,
  ),
);
