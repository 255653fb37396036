import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { run } from '../../src/cli/run.js';
import { SystemClock } from '../../src/core/clock.js';
import { MAIN } from '../helpers/cli.js';
import { listenNotify, type NotifyListener } from '../helpers/systemd.js';

let dir: string;
let configFile: string;
const children: ChildProcess[] = [];
const listeners: NotifyListener[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kiosk-notify-'));
  configFile = join(dir, 'config.yaml');
  writeFileSync(
    configFile,
    `point:\n  id: notify-test\n  capacity: 80\nstorage:\n  path: ${join(dir, 'kiosk.db')}\nsign:\n  outputs: [terminal]\n`,
  );
});

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const l of listeners.splice(0)) await l.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Service {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

/** The real `pima-kiosk run`, as systemd starts it, with its own environment. */
function startService(env: Record<string, string>): Service {
  const child = spawn(process.execPath, [MAIN, 'run', '--config', configFile], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { child, out: () => out, err: () => err, exited };
}

async function listener(name: string): Promise<{ socket: string; l: NotifyListener }> {
  const socket = join(dir, `${name}.sock`);
  const l = await listenNotify(socket);
  listeners.push(l);
  return { socket, l };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the service under a notify socket (as systemd runs it, Type=notify)', () => {
  it('sends READY with its state, WATCHDOG every half interval, then STOPPING on SIGTERM', async () => {
    const { socket, l } = await listener('main');
    const svc = startService({ NOTIFY_SOCKET: socket, WATCHDOG_USEC: '1000000' });
    const [ready] = await l.waitFor((m) => m.length > 0);
    const readySeenAt = Date.now();
    expect(ready).toMatch(
      /^READY=1\nSTATUS=(OPEN|OPEN_LIMITED|FULL|STANDBY|CLOSED)( \([a-z, -]+\))?, power \w+, \d+\/80 people/,
    );
    const state = /STATUS=([A-Z_]+)/.exec(ready ?? '')?.[1];
    // the sign shows that state (the terminal sign prints one line per change; the strict order of sign
    // and READY is checked in one process below, where both land in one list)
    // stdout and the notify socket are two pipes read independently: poll, with a generous bound
    for (let i = 0; i < 500 && !svc.out().includes(`${state}`); i++) await sleep(20);
    expect(svc.out()).toContain(state);
    await sleep(3000);
    const pings = l.messages().filter((m) => m.startsWith('WATCHDOG=1'));
    // 1 s watchdog: a ping every 500 ms while the loop is healthy. The upper bound follows the time
    // actually elapsed since READY (the stdout wait above varies), with two pings of slack as before.
    const elapsedMs = Date.now() - readySeenAt;
    expect(pings.length).toBeGreaterThanOrEqual(4);
    expect(pings.length).toBeLessThanOrEqual(Math.ceil(elapsedMs / 500) + 2);
    expect(pings[0]).toMatch(/^WATCHDOG=1\nSTATUS=[A-Z_]+( \([a-z, -]+\))?, power /);
    svc.child.kill('SIGTERM');
    const all = await l.waitFor((m) => m.some((x) => x.startsWith('STOPPING=1')));
    expect(await svc.exited).toBe(0);
    expect(all[0]).toMatch(/^READY=1/);
    const stopAt = all.findIndex((m) => m.startsWith('STOPPING=1'));
    expect(all.slice(stopAt + 1).filter((m) => m.startsWith('WATCHDOG'))).toEqual([]);
    expect(all.filter((m) => m.startsWith('READY=1'))).toHaveLength(1);
  });

  it('does not ping a watchdog meant for another process (WATCHDOG_PID)', async () => {
    const { socket, l } = await listener('other-pid');
    const svc = startService({ NOTIFY_SOCKET: socket, WATCHDOG_USEC: '1000000', WATCHDOG_PID: '1' });
    await l.waitFor((m) => m.some((x) => x.startsWith('READY=1')));
    await sleep(1500);
    expect(l.messages().filter((m) => m.startsWith('WATCHDOG'))).toEqual([]);
    svc.child.kill('SIGTERM');
    expect(await svc.exited).toBe(0);
  });

  it('starts and stops normally when the notify socket is unreachable, warning once', async () => {
    const svc = startService({ NOTIFY_SOCKET: join(dir, 'nobody-listens.sock'), WATCHDOG_USEC: '1000000' });
    const deadline = Date.now() + 10_000;
    while (!/kiosk: running/.test(svc.err()) && Date.now() < deadline) await sleep(25);
    expect(svc.err()).toMatch(/kiosk: running/);
    // the warning comes with the first notify, which may follow the "running" line: wait for it, then
    // give the watchdog pings 1.5 s in which they must not warn again
    while (!/could not notify systemd/.test(svc.err()) && Date.now() < deadline + 10_000) await sleep(25);
    await sleep(1500);
    svc.child.kill('SIGTERM');
    expect(await svc.exited).toBe(0);
    expect(svc.err().match(/could not notify systemd/g)).toHaveLength(1);
  });
});

describe('READY and the first state on the sign, in one process', () => {
  it('sends READY=1 only after the sign has shown the first evaluation, STOPPING=1 before it goes dark', async () => {
    const events: string[] = [];
    let shutdown: ((signal: string) => void) | undefined;
    const io: CliIo = {
      stdout: (t) => events.push(`sign: ${t.trim()}`),
      stderr: () => undefined,
      stdoutIsTty: false,
      env: { NOTIFY_SOCKET: '/run/test.sock' },
      pid: 4242,
      user: 'test',
      clock: new SystemClock(),
      isProcessAlive: () => false,
      onShutdownSignal: (h) => {
        shutdown = h;
      },
      notify: async (socket, fields) => {
        events.push(`notify ${socket}: ${fields.join(' ')}`);
      },
    };
    const done = run(io, { config: configFile, seed: '3' });
    const deadline = Date.now() + 10_000;
    while (!events.some((e) => e.includes('READY=1')) && Date.now() < deadline) await sleep(10);
    shutdown?.('SIGTERM');
    expect(await done).toBe(0);
    const firstSign = events.findIndex((e) => e.startsWith('sign: '));
    const ready = events.findIndex((e) => e.includes('READY=1'));
    const stopping = events.findIndex((e) => e.includes('STOPPING=1'));
    const dark = events.findIndex((e) => e.includes('dark: controller stopped'));
    expect(firstSign).toBeGreaterThanOrEqual(0);
    expect(ready).toBeGreaterThan(firstSign);
    expect(events[ready]).toMatch(/^notify \/run\/test\.sock: READY=1 STATUS=[A-Z_]+/);
    expect(stopping).toBeGreaterThan(ready);
    expect(dark).toBeGreaterThan(stopping);
  });
});
