// A connection flood as its own process (its own file descriptors): opens `count` TCP connections to
// host:port, sends the start of a request that never ends (half-open, ~4 KB of headers), and opens a new one whenever the
// server closes one, until `ms` have passed. Source addresses: `one` uses 127.0.0.2 only, `many` spreads
// the connections over 127.{1..}.x.y. Prints one JSON line with what it saw, then exits.
import { connect } from 'node:net';

const [host, portText, countText, spread, msText] = process.argv.slice(2);
const port = Number(portText);
const count = Number(countText);
const ms = Number(msText);
const BATCH = 500;
// ~4 KB of headers, more than 32 lines: Node hands them to JavaScript before the head is complete, so a
// server that keeps the connection keeps them on its heap (under the 8 KB head limit).
const HEAD = `GET /api/status HTTP/1.1\r\nHost: ${host}:${port}\r\n${Array.from({ length: 40 }, (_, i) => `X-Pad-${i}: ${'a'.repeat(90)}\r\n`).join('')}X-Slow: `;
const stats = { opened: 0, refused: 0, closedByServer: 0, errors: 0, peakOpen: 0 };
let open = 0;
let stopping = false;
const sockets = new Set();

function source(i) {
  if (spread === 'one') return '127.0.0.2';
  // 127.1.0.1 .. : never 127.0.0.1, the kiosk screen's own address
  return `127.${1 + ((i >> 16) & 0x7f)}.${(i >> 8) & 0xff}.${1 + (i & 0xfe)}`;
}

function openOne(i) {
  if (stopping) return;
  const s = connect({ host, port, localAddress: source(i) });
  sockets.add(s);
  let connected = false;
  s.on('connect', () => {
    connected = true;
    stats.opened += 1;
    open += 1;
    stats.peakOpen = Math.max(stats.peakOpen, open);
    s.write(HEAD);
  });
  s.on('error', () => {
    stats.errors += 1;
  });
  s.on('close', () => {
    sockets.delete(s);
    if (connected) {
      open -= 1;
      if (!stopping) stats.closedByServer += 1;
    } else stats.refused += 1;
    if (!stopping) setTimeout(() => openOne(i), 500);
  });
}

let next = 0;
const opener = setInterval(() => {
  for (let k = 0; k < BATCH && next < count; k++) openOne(next++);
  if (next >= count) clearInterval(opener);
}, 20);

setTimeout(() => {
  stopping = true;
  clearInterval(opener);
  for (const s of sockets) s.destroy();
  process.stdout.write(`${JSON.stringify({ ...stats, stillOpen: open })}\n`);
  setTimeout(() => process.exit(0), 100);
}, ms);
