// The DuckDB baseline of the statistics cube: loads the facts Sanad's snapshot holds (one row per
// pupil and year, integer codes; timed apart), runs the same aggregates as one query with GROUP BY
// ROLLUP (best of three) and prints one JSON line with the national total of every measure.
// Usage: node stats.mjs FACTS_DIR   (FACTS_DIR from `sanad stats bench --facts DIR`)
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';

const [dir] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
await c.run('SET threads TO 2');
const now = () => Number(process.hrtime.bigint()) / 1e9;
let t = now();
const cols = ['region', 'directorate', 'commune', 'school', 'rural', 'sex', 'level', 'cycle', 'row', 'status', 'outcome', 'age', 'tayssir', 'q0', 'q1', 'q2'];
const types = cols.map((k) => `'${k}': '${k === 'region' || k === 'directorate' || k === 'commune' || k === 'school' ? 'INTEGER' : k.startsWith('q') ? 'USMALLINT' : 'UTINYINT'}'`).join(', ');
await c.run(`CREATE TABLE facts AS SELECT * FROM read_csv('${dir}/facts.csv', header = true, columns = {${types}})`);
const load = now() - t;
const sql = readFileSync(`${dir}/rollup.sql`, 'utf8');
let best = Infinity;
let reader;
for (let i = 0; i < 3; i++) {
  t = now();
  reader = await c.runAndReadAll(sql);
  best = Math.min(best, now() - t);
}
const names = reader.columnNames();
const rows = reader.getRows();
const measures = names.map((n, i) => [n, i]).filter(([n]) => /^m\d+$/.test(n));
const totals = measures.map(() => 0n);
for (const r of rows) {
  if (r[0] !== null) continue; // the nation: region rolled up
  measures.forEach(([, i], k) => (totals[k] += BigInt(r[i] ?? 0)));
}
console.log(JSON.stringify({ load_s: load, query_s: best, groups: rows.length, totals: totals.map(String) }));
