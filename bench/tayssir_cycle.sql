-- One Tayssir transfer (T1 of 2025-2026: September–December) under the published rules, as one
-- SQL query over the registry's tables: the baseline Sanad's engine is measured against
-- (bench/tayssir.sh runs it in DuckDB and in PostgreSQL). Per school: beneficiaries and the
-- amount due in centimes. The same rules as the engine: effective enrolment (not transferred),
-- level amounts, primary in rural communes and collège everywhere, a RAMED card, not left
-- before September, the same child twice in a household held back, at most three children per
-- household (largest amounts, then code Massar), a month forfeited above 4 (primary) or 6
-- (collège) absence days, nothing after the month of leaving.
WITH lvl(level, amount, cycle, threshold) AS (VALUES
  ('1AP', 6000, 'primaire', 4), ('2AP', 6000, 'primaire', 4), ('3AP', 8000, 'primaire', 4),
  ('4AP', 8000, 'primaire', 4), ('5AP', 10000, 'primaire', 4), ('6AP', 10000, 'primaire', 4),
  ('1AC', 14000, 'college', 6), ('2AC', 14000, 'college', 6), ('3AC', 14000, 'college', 6)),
mon(m) AS (VALUES ('2025-09'), ('2025-10'), ('2025-11'), ('2025-12')),
hp AS (SELECT p.id, p.massar, p.birth_date, p.name_ar_norm, p.name_fr_norm, m.household_id
       FROM pupils p JOIN household_members m ON m.pupil_id = p.id),
dup AS (
  SELECT p.id FROM hp p WHERE EXISTS (SELECT 1 FROM hp q WHERE q.household_id = p.household_id
    AND q.birth_date = p.birth_date AND q.massar < p.massar
    AND (q.name_ar_norm = p.name_ar_norm OR (q.name_fr_norm = p.name_fr_norm
                                             AND q.name_fr_norm <> '')))),
base AS (
  SELECT e.pupil_id, e.school_id, e.status, e.left_date, l.amount, l.threshold, p.massar,
         m.household_id
  FROM enrolments e JOIN lvl l ON l.level = e.level
  JOIN schools s ON s.id = e.school_id JOIN communes c ON c.code = s.commune_code
  JOIN pupils p ON p.id = e.pupil_id
  JOIN household_members m ON m.pupil_id = e.pupil_id
  JOIN households h ON h.id = m.household_id
  WHERE e.school_year = '2025-2026' AND e.status <> 'transferred'
    AND (l.cycle = 'college' OR c.milieu = 'rural')
    AND h.ramed IS NOT NULL AND h.ramed <> ''
    AND NOT (e.status = 'left' AND substr(coalesce(e.left_date, ''), 1, 7) < '2025-09')
    AND e.pupil_id NOT IN (SELECT id FROM dup)),
kept AS (
  SELECT * FROM (SELECT b.*, row_number() OVER (PARTITION BY household_id
                                                ORDER BY amount DESC, massar) AS rk
                 FROM base b) r WHERE rk <= 3),
cnt AS (
  SELECT a.pupil_id, substr(a.day, 1, 7) AS m, count(*) AS n FROM absences a
  WHERE a.day >= '2025-09-01' AND a.day < '2026-01-01' GROUP BY a.pupil_id, substr(a.day, 1, 7)),
pay AS (
  SELECT k.school_id, k.pupil_id,
    CASE WHEN k.status = 'left' AND mon.m > substr(k.left_date, 1, 7) THEN 0
         WHEN coalesce(cnt.n, 0) > k.threshold THEN 0 ELSE k.amount END AS due
  FROM kept k CROSS JOIN mon LEFT JOIN cnt ON cnt.pupil_id = k.pupil_id AND cnt.m = mon.m)
SELECT school_id, count(DISTINCT pupil_id) AS beneficiaries, sum(due) AS due FROM pay
GROUP BY school_id ORDER BY school_id
