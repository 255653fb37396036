// A minimal writer for the SIGKILL test: the real log code (from dist/), appending group commits of
// readings and durable events as fast as it can until it is killed. Starts faster than the whole service,
// so the test can afford more kills. Usage: node store-sigkill-writer.mjs <log path>
import { openLog } from '../../dist/src/store/sqlite-log.js';

const log = openLog(process.argv[2]);
let n = 0;
const pause = new Int32Array(new SharedArrayBuffer(4));
for (;;) {
  const ts = Date.now();
  log.appendReadings(
    Array.from({ length: 1 + (n % 20) }, (_, i) => ({ channel: 'battery.voltage', value: n + i / 100, ts })),
  );
  if (n % 7 === 0) log.appendEvent({ type: 'test.tick', level: 'info', ts, message: `tick ${n}` });
  n++;
  // ~500 commits a second: enough to be killed mid-commit often, without a log so big that checking it
  // after every kill dominates the test's time.
  Atomics.wait(pause, 0, 0, 2);
}
