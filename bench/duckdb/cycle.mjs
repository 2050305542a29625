// The DuckDB baseline of the Tayssir cycle: loads the registry's tables from CSV files (timed
// apart), runs bench/tayssir_cycle.sql (best of three) and prints one JSON line.
// Usage: node cycle.mjs CSV_DIR SQL_FILE
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';

const [dir, sqlFile] = process.argv.slice(2);
const tables = {
  communes: { code: 'VARCHAR', milieu: 'VARCHAR', directorate_code: 'VARCHAR' },
  schools: { id: 'BIGINT', code: 'VARCHAR', commune_code: 'VARCHAR' },
  pupils: { id: 'BIGINT', massar: 'VARCHAR', name_ar_norm: 'VARCHAR', name_fr_norm: 'VARCHAR', birth_date: 'VARCHAR' },
  enrolments: { pupil_id: 'BIGINT', school_year: 'VARCHAR', school_id: 'BIGINT', level: 'VARCHAR', status: 'VARCHAR', left_date: 'VARCHAR' },
  households: { id: 'BIGINT', ramed: 'VARCHAR' },
  household_members: { pupil_id: 'BIGINT', household_id: 'BIGINT' },
  absences: { pupil_id: 'BIGINT', day: 'VARCHAR', justified: 'BIGINT' },
};
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
await c.run('SET threads TO 2');
const now = () => Number(process.hrtime.bigint()) / 1e9;
let t = now();
for (const [name, cols] of Object.entries(tables)) {
  const types = Object.entries(cols)
    .map(([k, v]) => `'${k}': '${v}'`)
    .join(', ');
  await c.run(`CREATE TABLE ${name} AS SELECT * FROM read_csv('${dir}/${name}.csv', header = true, columns = {${types}})`);
}
const load = now() - t;
const sql = readFileSync(sqlFile, 'utf8');
let best = Infinity;
let rows = [];
for (let i = 0; i < 3; i++) {
  t = now();
  rows = (await c.runAndReadAll(sql)).getRows();
  best = Math.min(best, now() - t);
}
let due = 0n;
let beneficiaries = 0n;
for (const r of rows) {
  beneficiaries += BigInt(r[1]);
  due += BigInt(r[2]);
}
console.log(JSON.stringify({ load_s: load, query_s: best, schools: rows.length, beneficiaries: String(beneficiaries), due: String(due) }));
