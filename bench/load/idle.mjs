// Holds N keep-alive connections to the server, each having made one request, idle while the
// load runs; on SIGTERM (or after SECONDS) says how many are still open and how many failed.
// Usage: node idle.mjs HOST PORT N SECONDS
import net from 'node:net';

const [host, port, n, seconds] = process.argv.slice(2);
let open = 0, failed = 0, answered = 0;
const sockets = [];
for (let i = 0; i < Number(n); i++) {
  const s = net.connect({ host, port: Number(port) });
  s.setKeepAlive(true);
  s.on('connect', () => {
    open++;
    s.write(`GET /healthz HTTP/1.1\r\nHost: ${host}\r\nConnection: keep-alive\r\n\r\n`);
  });
  s.on('data', () => answered++);
  s.on('error', () => failed++);
  s.on('close', () => open--);
  sockets.push(s);
  if (i % 500 === 499) await new Promise((r) => setTimeout(r, 50));
}
const done = () => {
  console.log(JSON.stringify({ asked: Number(n), open, answered, failed }));
  process.exit(0);
};
process.on('SIGTERM', done);
setTimeout(done, Number(seconds) * 1000);
