// The link emulator in a process of its own, for bench:link: the drain under test then cannot stall
// the emulated link by keeping its own event loop busy (a real link does not share the point's CPU).
// Started with fork() (bench/remote-link.ts): argv rate (bit/s), RTT (ms), loss, target port, listen
// port (0: a free one); sends {port}, answers 'stats'.
import { startLinkEmulator } from '../test/helpers/link-emulator.js';

const [rate, rtt, loss, target, port] = process.argv.slice(2).map(Number);
const link = await startLinkEmulator(target ?? 0, {
  rateBitsPerSec: rate ?? 1_000_000,
  rttMs: rtt ?? 100,
  loss: loss ?? 0,
  seed: 18,
  port: port || 0,
});
process.send?.({ port: link.port });
process.on('message', (m: unknown) => {
  if (m === 'stats') process.send?.({ stats: { ...link.stats } });
  if (m === 'close') void link.close().then(() => process.exit(0));
});
