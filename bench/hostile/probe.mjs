// The measurements of bench/hostile.sh: the server's resident memory above its size at rest
// while it checks hostile files, and how long another user's call waits meanwhile.
// Usage: node probe.mjs PORT SERVER_PID BAD_CSV BIG_FILE
import { readFileSync } from 'node:fs';
import net from 'node:net';

const [port, pid, badFile, bigFile] = process.argv.slice(2);
const base = `http://127.0.0.1:${port}/api/v1`;
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

async function signIn(login) {
  const r = await fetch(`${base}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login, password: 'hostile-bench-2026' }),
  });
  if (r.status !== 200) throw new Error(`login ${login}: ${r.status}`);
  return { cookie: r.headers.get('set-cookie').split(';')[0], csrf: (await r.json()).csrf };
}

// The peak of the server's memory while `work` runs, above `rest`.
async function peakDuring(work) {
  let peak = rss();
  const timer = setInterval(() => (peak = Math.max(peak, rss())), 20);
  const t0 = performance.now();
  const result = await work();
  clearInterval(timer);
  return { peak, seconds: (performance.now() - t0) / 1000, result };
}

// Another user's GET /session, called one after the other while `work` runs: the worst wait.
async function worstWaitDuring(who, work) {
  let done = false;
  let worst = 0;
  const other = (async () => {
    while (!done) {
      const t0 = performance.now();
      await fetch(`${base}/session`, { headers: { cookie: who.cookie } });
      worst = Math.max(worst, performance.now() - t0);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const result = await work();
  done = true;
  await other;
  return { worst, result };
}

const head = await signIn('head');
const other = await signIn('other');
await new Promise((r) => setTimeout(r, 1500));
const rest = rss();
console.log(`server at rest: ${rest.toFixed(0)} MB`);
const bad = readFileSync(badFile);
const check = () =>
  fetch(`${base}/imports/pupils?file=bad.csv`, {
    method: 'POST',
    headers: { cookie: head.cookie, 'X-CSRF-Token': head.csrf, 'Content-Type': 'application/octet-stream' },
    body: bad,
  }).then(async (r) => ({ status: r.status, body: await r.json() }));

const one = await peakDuring(check);
const j = one.result.body;
console.log(
  `one check of 999,999 bad rows: ${one.seconds.toFixed(1)} s, +${(one.peak - rest).toFixed(0)} MB above rest; ` +
    `answer ${one.result.status}, rows_rejected ${j.rows_rejected}, issues kept ${j.issues?.length}, issues_total ${j.issues_total}`,
);
if (process.env.ONLY === 'check') process.exit(0);
const three = await peakDuring(() => worstWaitDuring(other, () => Promise.all([check(), check(), check()])));
console.log(
  `three checks at once: ${three.seconds.toFixed(1)} s, +${(three.peak - rest).toFixed(0)} MB above rest; ` +
    `another user's GET /session waited at most ${three.result.worst.toFixed(0)} ms`,
);

// 24 uploads of 64 MB without a cookie: each socket sends its headers, then the body slowly.
const big = readFileSync(bigFile);
const anonymous = () =>
  new Promise((resolve) => {
    const s = net.connect(Number(port), '127.0.0.1', () => {
      s.write(`POST /api/v1/imports/pupils HTTP/1.1\r\nHost: x\r\nContent-Length: ${big.length}\r\n\r\n`);
      let sent = 0;
      const pump = () => {
        while (sent < big.length) {
          const ok = s.write(big.subarray(sent, sent + (1 << 20)));
          sent += 1 << 20;
          if (!ok) return s.once('drain', pump);
        }
      };
      pump();
    });
    let answer = '';
    s.on('data', (d) => (answer += d));
    s.on('error', () => {});
    s.on('close', () => resolve(answer.split('\r\n')[0]));
  });
const anon = await peakDuring(() => Promise.all(Array.from({ length: 24 }, anonymous)));
const answers = [...new Set(anon.result)].join(', ');
console.log(`24 uploads of 64 MB without a cookie: ${anon.seconds.toFixed(1)} s, +${(anon.peak - rest).toFixed(0)} MB above rest; answers: ${answers}`);

// Three region-wide exports (the directorate's pupils as PDF) beside another user.
const exportList = () =>
  fetch(`${base}/exports/pupils?format=pdf&scope=03.531`, { headers: { cookie: other.cookie } }).then((r) => r.arrayBuffer());
const exports3 = await worstWaitDuring(head, () => Promise.all([exportList(), exportList(), exportList()]));
console.log(`three directorate exports at once: another user's GET /session waited at most ${exports3.worst.toFixed(0)} ms`);
