// Browser tests of the web app: Debian's Chromium, headless, driven by playwright-core.
// Run by tests/web/browser_test.sh, which prepares a database and a server and passes what to
// look for in the environment (see there). Every page visited is saved as a screenshot.
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import assert from 'node:assert/strict';

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`missing environment variable ${k}`);
  return v;
};
const base = env('SANAD_URL');
const shots = env('SCREENSHOT_DIR');
const fx = JSON.parse(readFileSync(env('FIXTURE'), 'utf8'));
mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
  ],
});

let failures = 0;
let n = 0;
async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}\n     ${String(e.stack || e).split('\n').slice(0, 6).join('\n     ')}`);
  }
}
async function shot(page, name) {
  n++;
  await page.screenshot({ path: `${shots}/${String(n).padStart(2, '0')}-${name}.png`, fullPage: true });
}
// The page must show nothing of the other school: its name, its pupils' names and codes.
async function noForeignData(page) {
  const text = await page.locator('body').innerText();
  for (const marker of fx.foreign_markers)
    assert.ok(!text.includes(marker), `the page shows another scope's data: «${marker}»`);
}
async function signIn(page, login) {
  await page.goto(base + '/');
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', fx.password);
  await page.click('button[type=submit]');
  await page.waitForSelector('header.top');
}

const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ar-MA' });
const page = await ctx.newPage();
const consoleErrors = [];
page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
page.on('pageerror', (e) => consoleErrors.push(String(e)));

await step('the login page is in Arabic, right to left', async () => {
  await page.goto(base + '/');
  await page.waitForSelector('input[name=login]');
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  assert.equal(await page.getAttribute('html', 'lang'), 'ar');
  await shot(page, 'login');
});

await step('a wrong password is refused with a message', async () => {
  await page.fill('input[name=login]', fx.head.login);
  await page.fill('input[name=password]', 'not the password');
  await page.click('button[type=submit]');
  await page.waitForSelector('.error');
  assert.equal(await page.locator('header.top').count(), 0);
});

await step('a school head signs in and lands on the school', async () => {
  await signIn(page, fx.head.login);
  await page.waitForSelector('[data-testid=school-name]');
  assert.equal((await page.textContent('[data-testid=school-name]')).trim(), fx.head.school_name_ar);
  await page.waitForSelector('[data-testid=pupils]');
  await noForeignData(page);
  await shot(page, 'school');
});

await step('a pupil is found by a misspelt Arabic name', async () => {
  await page.fill('input[name=q]', fx.search.misspelt);
  await page.press('input[name=q]', 'Enter');
  await page.waitForSelector(`[data-testid=pupils] a[href="#/pupil/${fx.search.massar}"]`, { timeout: 5000 });
  const total = Number((await page.textContent('[data-testid=total]')).replace(/\D/g, ''));
  assert.ok(total >= 1 && total < fx.head.pupils, `search narrowed to ${total} of ${fx.head.pupils}`);
  await noForeignData(page);
  await shot(page, 'search-misspelt');
});

await step('the filters narrow the list (sex)', async () => {
  await page.fill('input[name=q]', '');
  await page.press('input[name=q]', 'Enter');
  await page.selectOption('select[name=sex]', 'F');
  await page.waitForFunction((all) => {
    const t = document.querySelector('[data-testid=total]');
    return t && Number(t.textContent.replace(/\D/g, '')) < all;
  }, fx.head.pupils);
  await page.selectOption('select[name=sex]', '');
});

await step('the pupil page shows history, household and absences by month', async () => {
  await page.fill('input[name=q]', fx.search.massar);
  await page.press('input[name=q]', 'Enter');
  await page.waitForSelector(`a[href="#/pupil/${fx.search.massar}"]`);
  await page.click(`a[href="#/pupil/${fx.search.massar}"]`);
  await page.waitForSelector('[data-testid=pupil-name]');
  assert.equal((await page.textContent('[data-testid=pupil-name]')).trim(), fx.search.name_ar);
  const history = await page.textContent('[data-testid=history]');
  assert.ok(history.includes(fx.head.school), 'the history names the school');
  if (fx.search.absent_months > 0)
    assert.equal(await page.locator('[data-testid=absences] tbody tr').count(), fx.search.absent_months);
  await noForeignData(page);
  await shot(page, 'pupil-ar');
});

await step('switching to French turns the page left to right, and it is remembered', async () => {
  await page.click('button.lang');
  await page.waitForFunction(() => document.documentElement.lang === 'fr');
  assert.equal(await page.getAttribute('html', 'dir'), 'ltr');
  // The page renders again in French just after the switch.
  await page.waitForSelector('h2:has-text("Parcours scolaire")', { timeout: 5000 });
  await page.reload();
  await page.waitForSelector('[data-testid=pupil-name]');
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  assert.ok((await page.locator('body').innerText()).includes('Absences par mois'));
  await shot(page, 'pupil-fr');
});

// The pupils a school's dashboard counts in a year, as the API serves it (the figures are the
// server's snapshot, recomputed in the background after a change).
async function pupilsOfYear(p, school, year) {
  return p.evaluate(
    async ([school, year]) => {
      const r = await fetch(`/api/v1/stats/nodes/${school}`);
      const d = await r.json();
      const ind = d.indicators.find((i) => i.code === 'PUPILS');
      return ind.trend.find((t) => t.year === year)?.value ?? null;
    },
    [school, year],
  );
}

await step('an import with a bad row names the row, writes nothing until confirmed', async () => {
  await page.goto(base + '/#/');
  const before = await pupilsOfYear(page, fx.head.school, fx.import.year);
  await page.goto(base + '/#/import');
  await page.waitForSelector('input[type=file]');
  await page.setInputFiles('input[type=file]', fx.import.file);
  await page.click('form button[type=submit]');
  await page.waitForSelector('[data-testid=issues]');
  const rows = page.locator('[data-testid=issues] tbody tr');
  assert.equal(await rows.count(), 1, 'one bad row reported');
  const cells = await rows.first().locator('td').allInnerTexts();
  assert.equal(cells[0].trim(), String(fx.import.bad_row), 'the report names the row');
  assert.ok(cells[2].includes(fx.import.bad_value), 'and the value');
  assert.match(cells[3], /^date invalide \(attendu jj\/mm\/aaaa/, "and the reason, in the interface's language");
  await shot(page, 'import-report');
  // The confirmation stays closed while rows are wrong; skipping them opens it.
  assert.ok(await page.locator('button:has-text("Confirmer")').isDisabled());
  await page.check('label.check input');
  await page.click('button:has-text("Confirmer")');
  await page.waitForSelector('.confirm');
  await page.click('.confirm button:has-text("Confirmer")');
  await page.waitForSelector('[data-testid=done]');
  assert.ok((await page.textContent('[data-testid=done]')).includes(String(fx.import.good_rows)));
  await shot(page, 'import-done');
  // The dashboards follow: the roster's year counts the new pupils, without anyone asking.
  let after = before;
  for (let i = 0; i < 60 && after === before; i++) {
    await page.waitForTimeout(500);
    after = await pupilsOfYear(page, fx.head.school, fx.import.year);
  }
  assert.equal(after, (before ?? 0) + fx.import.good_rows, 'the figures were refreshed after the import');
});

await step("a corrected roster: the pupil's page shows what changed, before and after, by whom", async () => {
  const c = fx.import.corrected;
  await page.goto(base + '/#/import');
  await page.waitForSelector('input[type=file]');
  await page.setInputFiles('input[type=file]', c.file);
  await page.click('form button[type=submit]');
  // A corrected first name changes who the pupil is: the check names the old and the new, and
  // nothing is written until the change is accepted, and the acceptance confirmed.
  await page.waitForSelector('[data-testid=issues]');
  const reason = await page.textContent('[data-testid=issues] tbody tr');
  assert.ok(reason.includes(c.before) && reason.includes(c.after), `old and new named: ${reason}`);
  await shot(page, 'import-identity-change');
  await page.check('[data-testid=accept-identity]');
  await page.waitForFunction(() => !document.querySelector('[data-testid=issues]'));
  await page.click('button:has-text("Confirmer")');
  await page.waitForSelector('.confirm');
  await page.click('.confirm button:has-text("Confirmer")');
  await page.waitForSelector('[data-testid=confirm]');
  assert.match(await page.textContent('[data-testid=confirm]'), /historique/);
  await page.click('[data-testid=confirm-yes]');
  await page.waitForSelector('[data-testid=done]');
  await page.goto(base + `/#/pupil/${c.massar}`);
  await page.waitForSelector('[data-testid=changes]');
  const rows = page.locator('[data-testid=changes] tbody tr');
  assert.equal(await rows.count(), 1, 'one field changed');
  const cells = await rows.first().locator('td').allInnerTexts();
  assert.equal(cells[1].trim(), 'head', 'by the school head');
  assert.ok(cells[3].includes('roster-corrected.csv'), 'with the file');
  assert.match(cells[5], /Prénom/, 'the field, named');
  assert.equal(cells[6].trim(), c.before);
  assert.equal(cells[7].trim(), c.after);
  await shot(page, 'pupil-changes');
});

await step("a month's absences file replaces that month: the check says what goes, then it goes", async () => {
  const r = fx.replace;
  await page.goto(base + '/#/import');
  await page.waitForSelector('input[type=file]');
  await page.selectOption('select[name=kind]', 'absences');
  await page.check('input[name=replace]');
  await page.fill('input[name=replace_from]', r.from);
  await page.fill('input[name=replace_to]', r.to);
  await page.setInputFiles('input[type=file]', r.file);
  await page.click('form button[type=submit]');
  await page.waitForSelector('[data-testid=replace-note]');
  const note = await page.textContent('[data-testid=replace-note]');
  const dmy = (iso) => iso.split('-').reverse().join('/');
  assert.match(note, new RegExp(`du ${dmy(r.from)} au ${dmy(r.to)} de 1 établissement\\(s\\) : 1 absence\\(s\\)`), note);
  await shot(page, 'import-replace');
  await page.click('button:has-text("Confirmer")');
  await page.waitForSelector('.confirm');
  await page.click('.confirm button:has-text("Confirmer")');
  await page.waitForSelector('[data-testid=done]');
  const done = await page.textContent('[data-testid=done]');
  assert.match(done, /1 supprimés/, done);
  assert.ok(done.replace(/\s/g, '').includes(`${r.rows}inchangés`), done);
  // The pupil's page no longer lists that day, and its history shows the absence removed.
  await page.goto(base + `/#/pupil/${r.dropped.massar}`);
  await page.waitForSelector('[data-testid=changes]');
  const changes = await page.textContent('[data-testid=changes]');
  assert.ok(changes.includes(dmy(r.dropped.day)), changes);
  assert.ok(changes.includes('absences-month.csv'), 'with the file');
});

await step("another school's pages answer not found and show nothing of it", async () => {
  for (const path of fx.foreign_paths) {
    await page.goto(base + '/' + path);
    await page.waitForSelector('.notice, .error');
    await page.waitForTimeout(200);
    await noForeignData(page);
  }
  await shot(page, 'foreign-not-found');
});

await step('a school head reads its Tayssir list, the computation behind a line, and confirms it', async () => {
  await page.goto(base + '/#/tayssir');
  await page.waitForSelector('[data-testid=cycles] tbody tr');
  assert.equal(await page.locator('[data-testid=cycles] tbody tr').count(), 1);
  await page.click(`a[href="#/tayssir/${fx.tayssir.cycle}"]`);
  await page.waitForSelector('[data-testid=lines] tbody tr');
  const total = Number((await page.textContent('[data-testid=lines-total]')).replace(/\D/g, ''));
  assert.equal(total, fx.tayssir.pupils, 'every pupil of the school has a line');
  const schools = await page.locator('[data-testid=lines] tbody tr td:nth-child(3)').allInnerTexts();
  assert.ok(schools.every((s) => s.trim() === fx.head.school), 'only the head school');
  // Four months of the first transfer, each paid, forfeited or not due.
  assert.equal(await page.locator('[data-testid=lines] thead th').count(), 5 + 4 + 1);
  await page.selectOption('select[name=reason]', 'eligible');
  await page.waitForFunction(
    (n) => Number(document.querySelector('[data-testid=lines-total]')?.textContent.replace(/\D/g, '')) === n,
    fx.tayssir.beneficiaries,
  );
  await page.click('[data-testid=lines] tbody tr:first-child button.link');
  await page.waitForSelector('[data-testid=explain] tbody tr');
  assert.equal(await page.locator('[data-testid=explain] tbody tr').count(), 4);
  await noForeignData(page);
  await shot(page, 'tayssir-school');
  await page.click('[data-testid=school-check] button:not(.secondary)');
  await page.waitForSelector('[data-testid=checks] td.ok');
  assert.ok((await page.textContent('[data-testid=checks]')).includes(fx.head.school));
  assert.equal(await page.locator('[data-testid=cycle-actions]').count(), 0, 'a school head does not approve');
});

await step('the directorate manager approves the cycle and exports the payment file once', async () => {
  const mgr = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  const p = await mgr.newPage();
  await signIn(p, fx.tayssir.manager);
  await p.goto(base + `/#/tayssir/${fx.tayssir.cycle}`);
  await p.waitForSelector('[data-testid=cycle-actions] button');
  const state = async () => (await p.textContent('[data-testid=steps] li.on')).trim();
  const before = await state();
  await p.click('[data-testid=cycle-actions] button');
  await p.waitForFunction((s) => document.querySelector('[data-testid=steps] li.on')?.textContent.trim() !== s, before);
  const checked = await state();
  // Approving freezes the policy: asked first, in the page, naming what it freezes; declined
  // (Escape), nothing moves.
  await p.click('[data-testid=cycle-actions] button:not(.secondary)');
  await p.waitForSelector('[role=alertdialog][data-testid=confirm]');
  assert.match(await p.textContent('[data-testid=confirm]'), /تُجمَّد السياسة/);
  assert.equal(await p.evaluate(() => document.activeElement?.dataset.testid), 'confirm-no', 'the safe answer has the focus');
  await shot(p, 'tayssir-confirm-approve');
  await p.keyboard.press('Escape');
  assert.equal(await p.locator('[data-testid=confirm]').count(), 0);
  assert.equal(await state(), checked, 'declined: still checked');
  await p.click('[data-testid=cycle-actions] button:not(.secondary)');
  await p.click('[data-testid=confirm-yes]');
  await p.waitForFunction((s) => document.querySelector('[data-testid=steps] li.on')?.textContent.trim() !== s, checked);
  await shot(p, 'tayssir-approved');
  await p.click('[data-testid=cycle-actions] button');
  assert.match(await p.textContent('[data-testid=confirm]'), /لا يمكن التراجع/, 'the payment says it cannot be undone');
  const [download] = await Promise.all([p.waitForEvent('download'), p.click('[data-testid=confirm-yes]')]);
  assert.match(download.suggestedFilename(), /payments\.xlsx$/);
  await p.waitForSelector('[data-testid=steps] li.on:nth-child(4)');
  assert.equal(await p.locator('[data-testid=cycle-actions] button:has-text("paiement"), [data-testid=cycle-actions] button:has-text("الأداء")').count(), 0, 'no second payment');
  await shot(p, 'tayssir-exported');
  await mgr.close();
});

await step('the manager runs a what-if: without an amount for 1AP, its paid pupils leave the program', async () => {
  const mgr = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const p = await mgr.newPage();
  await signIn(p, fx.tayssir.manager);
  await p.goto(base + '/#/tayssir');
  await p.click('[data-testid=policy-link]');
  await p.waitForSelector('[data-testid=amounts]');
  assert.ok(await p.locator('[data-testid=frozen]').isVisible(), 'the policy of an exported cycle is frozen');
  assert.equal(await p.locator('[data-testid=save-policy]').count(), 0, 'a directorate does not save national rules');
  await p.fill('input[name=amount-1AP]', '');
  // The whole country asks first (minutes of work); declined, nothing runs.
  await p.fill('input[name=scope]', 'MA');
  await p.click('[data-testid=run-whatif]');
  assert.match(await p.textContent('[data-testid=confirm]'), /كل تلاميذ البلاد/, 'a national what-if is confirmed first');
  await p.click('[data-testid=confirm-no]');
  assert.equal(await p.locator('[data-testid=whatif-result]').count(), 0, 'declined: nothing ran');
  await p.fill('input[name=scope]', '');
  await p.click('[data-testid=run-whatif]');
  await p.waitForSelector('[data-testid=whatif-result]');
  const leaving = await p.locator('[data-testid=leaving] tbody tr').count();
  assert.equal(leaving, fx.tayssir.paid_1ap, 'the 1AP pupils paid by the cycle leave');
  const reasons = await p.locator('[data-testid=leaving] tbody tr td:nth-child(5)').allInnerTexts();
  assert.ok(reasons.every((r) => r.includes('المستوى غير مشمول')), `every one for its level: ${[...new Set(reasons)]}`);
  const total = await p.locator('[data-testid=whatif-result] tr.total').innerText();
  assert.match(total, /-\s?\d/, 'the total shows what the change saves');
  await shot(p, 'tayssir-whatif');
  await mgr.close();
});

await step('the manager reviews a child entered twice and decides: two different children', async () => {
  const mgr = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const p = await mgr.newPage();
  await signIn(p, fx.tayssir.manager);
  await p.goto(base + '/#/tayssir');
  await p.click('[data-testid=suspects-link]');
  const card = p.locator('[data-testid=pair]', { hasText: fx.tayssir.twin[0] });
  await card.waitFor();
  assert.ok((await card.innerText()).includes(fx.tayssir.twin[1]), 'both codes side by side');
  assert.ok((await card.innerText()).includes('نفس الاسم بالعربية وتاريخ الازدياد'), 'what matched, in Arabic');
  await shot(p, 'tayssir-suspects');
  await card.locator('input').fill('توأمان، تم التحقق في المؤسسة');
  await card.locator('button.secondary').click();
  await p.waitForFunction((code) => {
    const c = [...document.querySelectorAll('[data-testid=pair]')].find((e) => e.textContent.includes(code));
    return c && c.classList.contains('decided');
  }, fx.tayssir.twin[0]);
  assert.match(await card.locator('[data-testid=decision]').innerText(), /شخصان مختلفان/);
  await mgr.close();
});

await step('the national administrator copies the frozen policy and edits the copy', async () => {
  const adm = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const p = await adm.newPage();
  await signIn(p, 'admin');
  await p.goto(base + `/#/tayssir-policy/${fx.tayssir.policy}`);
  await p.waitForSelector('[data-testid=copy-policy]');
  assert.equal(await p.locator('[data-testid=save-policy]').count(), 0, 'a frozen policy is not saved');
  await p.fill('input[name=new_code]', 'tayssir-2026-2027');
  await p.fill('input[name=new_year]', '2026-2027');
  await p.click('[data-testid=copy-policy] button[type=submit]');
  await p.waitForFunction(() => location.hash === '#/tayssir-policy/tayssir-2026-2027');
  await p.waitForSelector('[data-testid=save-policy]');
  assert.ok((await p.locator('[data-testid=policy-months]').innerText()).includes('2026'), 'the months moved to the new year');
  await p.fill('input[name=household_cap]', '4');
  await p.fill('input[name=amount-1AC]', '150');
  // RAMED required with no commune exempt is said; the exempt communes come from a file, a wrong
  // code named with its row; a rule's further indicator is written "name >= value".
  assert.match(await p.locator('[data-testid=policy-warning]').innerText(), /راميد/);
  await p.setInputFiles('input[name=exempt_file]', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('commune\n03.531.01.01\n99.999.99.99\n') });
  await p.waitForSelector('.field p.error[role=alert]');
  assert.match(await p.locator('.field p.error[role=alert]').innerText(), /bad\.csv.*3.*99\.999\.99\.99/);
  await p.setInputFiles('input[name=exempt_file]', { name: 'exempt.csv', mimeType: 'text/csv', buffer: Buffer.from('commune\n03.531.01.05\n03.531.01.01\n') });
  await p.waitForFunction(() => document.querySelector('.field p.ok[role=status]')?.textContent?.includes('2'));
  await p.fill('input[name=and-0]', 'dropout_primary >= 8');
  await p.selectOption('select[name=absence_unit]', 'session');
  await p.click('[data-testid=save-policy]');
  await p.waitForSelector('p.ok[role=status]');
  await p.reload();
  await p.waitForSelector('input[name=household_cap]');
  assert.equal(await p.inputValue('input[name=household_cap]'), '4');
  assert.equal(await p.inputValue('input[name=amount-1AC]'), '150');
  assert.equal(await p.inputValue('input[name=and-0]'), 'dropout_primary >= 8');
  assert.equal(await p.inputValue('select[name=absence_unit]'), 'session');
  assert.equal(await p.locator('[data-testid=policy-warning]').count(), 0, 'communes are exempt now: nothing to say');
  await shot(p, 'tayssir-policy');
  // An invalid rule is refused with the reason, and nothing changes.
  await p.fill('input[name=threshold-primaire]', '-3');
  await p.click('[data-testid=save-policy]');
  await p.waitForSelector('p.error[role=alert]');
  const refusal = await p.locator('p.error[role=alert]').innerText();
  assert.match(refusal, /primaire/);
  // In the interface's language, not the engine's English.
  assert.match(refusal, /الحقل absence_threshold_days\.primaire يجب أن يكون بين 0 و31/, `the refusal «${refusal}»`);
  await adm.close();
});

await step('on a phone the school page fits the screen', async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const p = await phone.newPage();
  await signIn(p, fx.head.login);
  await p.waitForSelector('[data-testid=pupils]');
  const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the page is ${overflow}px wider than the screen`);
  await shot(p, 'phone-school');
  await phone.close();
});

await step('an administrator browses the territory with counts, users and their history', async () => {
  const admin = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  const p = await admin.newPage();
  await signIn(p, fx.admin.login);
  await p.waitForSelector('table.list tbody tr');
  assert.equal(await p.locator('table.list tbody tr').count(), 12, 'twelve regions');
  await shot(p, 'territory-nation');
  await p.goto(base + '/#/t/' + fx.admin.directorate);
  await p.waitForSelector('tfoot');
  const foot = await p.textContent('tfoot');
  assert.ok(foot.replace(/\D/g, '').endsWith(String(fx.admin.directorate_pupils)), `directorate total in «${foot}»`);
  await shot(p, 'territory-directorate');
  // The list as shown, as a CSV file: headings, one line per commune, the total with its figures.
  const [csv] = await Promise.all([p.waitForEvent('download'), p.click('[data-testid=csv-children]')]);
  const text = readFileSync(await csv.path(), 'utf8');
  assert.ok(text.startsWith('\ufeff'), 'a BOM for Excel');
  const csvLines = text.slice(1).trim().split('\r\n');
  assert.equal(csvLines.length, (await p.locator('[data-testid=children] tbody tr').count()) + 2);
  assert.match(csvLines.at(-1), new RegExp(`,"${fx.admin.directorate_pupils}"$`), `the total line «${csvLines.at(-1)}»`);
  await p.goto(base + '/#/users');
  await p.waitForSelector('[data-testid=users]');
  await p.click(`tr:has-text("${fx.head.login}") button.link`);
  await p.waitForSelector('.history [data-testid=audit]');
  await shot(p, 'users');
  await p.goto(base + '/#/audit');
  await p.waitForSelector('[data-testid=audit]');
  await shot(p, 'audit');
  await admin.close();
});

await step("a school head's dashboard: each figure leads to its pupils, charts save as PNG, figures as Excel", async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const p = await ctx.newPage();
  await signIn(p, fx.head.login);
  await p.goto(base + '/#/stats');
  await p.waitForSelector('tr[data-code=PUPILS] td.n a');
  const figure = Number((await p.textContent('tr[data-code=PUPILS] td.n a')).replace(/\D/g, ''));
  assert.ok(figure > 0, 'the school has pupils');
  await p.waitForSelector('.chart canvas');
  await shot(p, 'stats-school');
  // The figure's pupils: as many as it says, all of this school.
  await p.click('tr[data-code=PUPILS] td.n a');
  await p.waitForSelector('table.list tbody tr');
  const listed = Number((await p.textContent('p.muted')).split('·')[0].replace(/\D/g, ''));
  assert.equal(listed, figure, 'the list behind the figure has the figure\'s count');
  const schools = await p.locator('table.list tbody tr td:nth-child(4)').allInnerTexts();
  assert.ok(schools.length > 0 && schools.every((s) => s.trim() === fx.head.school), 'only the head school');
  await noForeignData(p);
  await shot(p, 'stats-pupils');
  // The girls only.
  await p.goBack();
  await p.waitForSelector('table.parts');
  const girlsRow = p.locator('table.parts tbody tr', { hasText: 'أنثى' });
  const girls = Number((await girlsRow.locator('td:nth-child(3)').innerText()).replace(/\D/g, ''));
  await girlsRow.locator('td:nth-child(3) a').click();
  await p.waitForSelector('table.list tbody tr');
  const sexes = await p.locator('table.list tbody tr td:nth-child(3)').allInnerTexts();
  assert.ok(sexes.every((s) => s.trim() === 'أنثى'), 'only girls');
  assert.equal(Number((await p.textContent('p.muted')).split('·')[0].replace(/\D/g, '')), girls);
  await p.goBack();
  await p.waitForSelector('.card-head button.link');
  const [png] = await Promise.all([p.waitForEvent('download'), p.click('.card-head button.link')]);
  assert.ok(png.suggestedFilename().endsWith('.png'), png.suggestedFilename());
  const pngBytes = readFileSync(await png.path());
  assert.equal(pngBytes.subarray(1, 4).toString(), 'PNG');
  const [xlsx] = await Promise.all([p.waitForEvent('download'), p.click('a[href*="/export"]')]);
  assert.equal(readFileSync(await xlsx.path()).subarray(0, 2).toString(), 'PK');
  // In French, the same page.
  await p.click('button.lang');
  await p.waitForSelector('th:has-text("Indicateur")');
  await shot(p, 'stats-school-fr');
  await p.click('button.lang');
  await ctx.close();
});

await step('a directorate submits a value, the nation approves it; rankings show the best and the worst', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const p = await ctx.newPage();
  await signIn(p, fx.tayssir.manager);
  await p.goto(base + '/#/stats');
  await p.waitForSelector('tr[data-code=PUPILS]');
  await p.click('tr[data-code=ABSENCE_RATE] button.link');
  await p.waitForSelector('.ranking .best-worst .best');
  await p.fill('input[name=baseline]', '9');
  await p.fill('input[name=target]', '5');
  await p.click('form.inline-form button[type=submit]');
  await p.waitForSelector('tr[data-code=ABSENCE_RATE] .bar');
  await p.click('.indicator-detail .actions button');
  await p.waitForSelector('tr[data-code=ABSENCE_RATE] td:has-text("مرفوعة للمصادقة")');
  await shot(p, 'stats-directorate');
  await ctx.close();
  const adm = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const a = await adm.newPage();
  await signIn(a, fx.admin.login);
  await a.goto(base + '/#/stats/03.531');
  await a.waitForSelector('tr[data-code=ABSENCE_RATE]');
  await a.click('tr[data-code=ABSENCE_RATE] button.link');
  await a.click('.indicator-detail .actions button:not(.secondary)');
  await a.waitForSelector('tr[data-code=ABSENCE_RATE] td:has-text("مصادق عليها")');
  await shot(a, 'stats-approved');
  await adm.close();
});

await step('the national administrator sees the exchange deliveries and sends one now', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const a = await ctx.newPage();
  await signIn(a, fx.admin.login);
  await a.goto(base + '/#/stats/MA');
  await a.waitForSelector('[data-testid=deliveries] tbody tr');
  const before = await a.locator('[data-testid=deliveries] tbody tr').count();
  assert.ok(before >= 1, 'the delivery made when the server started');
  assert.ok((await a.textContent('[data-testid=deliveries] tbody tr:first-child')).includes('تم'));
  await a.click('[data-testid=deliveries] .card-head button');
  await a.click('[data-testid=confirm-yes]');
  await a.waitForFunction((n) => document.querySelectorAll('[data-testid=deliveries] tbody tr').length === n + 1, before);
  await shot(a, 'stats-deliveries');
  await ctx.close();
});

await step("another school's roster holds the head's pupil as a transfer request; the head accepts it", async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ar-MA' });
  const o = await ctx.newPage();
  await signIn(o, 'other');
  await o.goto(base + '/#/import');
  await o.setInputFiles('input[type=file]', fx.transfer.file);
  await o.click('form button[type=submit]');
  await o.waitForSelector('[data-testid=held]');
  assert.ok((await o.textContent('[data-testid=held]')).includes(fx.transfer.massar));
  // Nothing of the pupil is shown beyond his code: not his school, not his name as recorded.
  assert.ok(!(await o.locator('body').innerText()).includes(fx.head.school_name_ar));
  await shot(o, 'import-held');
  await o.click('button:has-text("تأكيد الاستيراد")');
  await o.click('.confirm button:has-text("تأكيد الاستيراد")');
  await o.waitForSelector('[data-testid=requests-sent]');
  await o.click('[data-testid=requests-sent] a');
  await o.click('[data-testid=box-outgoing]');
  await o.waitForSelector('[data-testid=request]');
  assert.ok(!(await o.locator('main').innerText()).includes(fx.head.school));
  await shot(o, 'requests-sent');
  await ctx.close();

  const h = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ar-MA' });
  const p = await h.newPage();
  await signIn(p, fx.head.login);
  await p.goto(base + '/#/requests');
  await p.waitForSelector('[data-testid=request]');
  assert.ok((await p.textContent('[data-testid=request]')).includes(fx.transfer.massar));
  await shot(p, 'requests-received-phone');
  await p.click('[data-testid=request] button:has-text("قبول")');
  await p.waitForSelector('.confirm');
  assert.ok((await p.textContent('.confirm')).includes(fx.transfer.name_ar));
  await p.click('.confirm button:has-text("قبول")');
  await p.selectOption('select', 'accepted');
  await p.waitForSelector('[data-testid=request-state]:has-text("مقبول")');
  await shot(p, 'requests-accepted');
  await h.close();
});

await step('no script errors in the console', async () => {
  assert.deepEqual(consoleErrors.filter((e) => !e.includes('401') && !e.includes('404')), []);
});

await browser.close();
console.log(`${failures === 0 ? 'PASS' : 'FAIL'}: ${n} screenshots in ${shots}`);
process.exit(failures === 0 ? 0 : 1);
