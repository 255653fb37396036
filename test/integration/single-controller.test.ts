import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Cleanups } from '../helpers/cleanups.js';
import { cli, MAIN, type RunningService, startService } from '../helpers/cli.js';

/**
 * Issue 12, Deliver 4: one controller per log. Real processes of the built binary: a second `run` on the
 * same config is refused, names the running one and changes no byte next to the log; a SIGKILLed service
 * (at any moment, start-up included) never leaves a lock that blocks the next start.
 */
let dir: string;
let configFile: string;
let dbPath: string;
const cleanups = new Cleanups();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kiosk-one-'));
  configFile = join(dir, 'config.yaml');
  dbPath = join(dir, 'kiosk.db');
  writeFileSync(
    configFile,
    [
      'point:',
      '  id: one-point',
      '  capacity: 30',
      'storage:',
      `  path: ${dbPath}`,
      '  commitIntervalMs: 200',
      'simulation:',
      '  scenario: crowd',
      '',
    ].join('\n'),
  );
});

afterEach(() => cleanups.run());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function running(args: readonly string[] = []): Promise<RunningService> {
  const s = await startService(['--config', configFile, '--speed', '30', ...args]);
  cleanups.push(async () => {
    if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    await s.exited;
  });
  return s;
}

/** Every file next to the log: size, mtime (ns) and content hash. */
function snapshot(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p, { bigint: true });
    const hash = createHash('sha256').update(readFileSync(p)).digest('hex');
    out[name] = `${st.size} ${st.mtimeNs} ${hash}`;
  }
  return out;
}

/** The process state letter from /proc/<pid>/stat (R, S, T, ...). */
function stateOf(pid: number): string | undefined {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
}

function rowCounts(): { readings: number; events: number; status: number } {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const count = (t: string) =>
      Number((db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n);
    return { readings: count('readings'), events: count('events'), status: count('status_snapshot') };
  } finally {
    db.close();
  }
}

async function until(
  what: string,
  cond: () => Promise<boolean> | boolean,
  timeoutMs = 20_000,
): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('one controller per point', () => {
  it('refuses a second run on the same log: names the running pid, exits 75, writes nothing', async () => {
    const first = await running();
    const pid = first.child.pid as number;
    await until('the first status', () => rowCounts().status > 0);
    // read commands work beside the running service (they never take its lock)
    const status = await cli(['status', '--json', '--config', configFile]);
    expect(status.code).toBe(0);
    expect((await cli(['log', '--config', configFile])).code).toBe(0);
    expect((await cli(['export', '--format', 'jsonl', '--config', configFile])).code).toBe(0);
    // the sign belongs to the running service: `sign dark` (systemd's ExecStopPost) leaves it alone
    const dark = await cli(['sign', 'dark', '--config', configFile]);
    expect(dark.code).toBe(75);
    expect(dark.stderr).toContain(`the service (pid ${first.child.pid}) is running and drives the sign`);

    // Freeze the first one (it keeps its lock) so any byte that changes now is the second one's.
    process.kill(pid, 'SIGSTOP');
    cleanups.push(() => {
      if (first.child.exitCode === null && first.child.signalCode === null) process.kill(pid, 'SIGCONT');
    });
    // stopped for sure (state T), so a commit it was still writing has landed before we look
    await until('the first service to stop', () => stateOf(pid) === 'T');
    const counts = rowCounts();
    const before = snapshot();
    const second = await cli(['run', '--config', configFile, '--speed', '30']);
    const after = snapshot();
    const countsAfter = rowCounts();
    process.kill(pid, 'SIGCONT');

    expect(second.code).toBe(75);
    expect(second.stderr).toContain(
      `refusing to start: pima-kiosk (pid ${pid}) is already running on the log`,
    );
    expect(second.stderr).toContain('Nothing was changed.');
    expect(second.stderr).not.toMatch(/INFO {2}kiosk: running/);
    expect(second.stdout).toBe(''); // the terminal sign never drew
    expect(after).toEqual(before);
    expect(countsAfter).toEqual(counts);

    // the first one goes on as before and stops cleanly
    const seen = rowCounts().readings;
    await until('the first service to log on', () => rowCounts().readings > seen);
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
  }, 120_000);

  it('starts again after SIGKILL at any moment, start-up included', async () => {
    const rounds = 4;
    for (let i = 0; i < rounds; i++) {
      const s = await running();
      // half of the kills land right after "running", half while it is busy a little later
      if (i % 2 === 1) await new Promise((r) => setTimeout(r, 150 + Math.random() * 600));
      s.child.kill('SIGKILL');
      expect((await s.exited).signal).toBe('SIGKILL');
      // CLI commands see no service, although the dead one's pid file is still there
      const st = await cli(['status', '--config', configFile]);
      expect(st.stderr).toContain('the service is not running');
    }
    // A kill during start-up: before "running" was ever logged (the lock is already held by then).
    for (let i = 0; i < 2; i++) {
      const child = spawn(process.execPath, [MAIN, 'run', '--config', configFile], { stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, 200 + i * 200));
      const gone = new Promise((r) => child.on('close', r));
      child.kill('SIGKILL');
      await gone;
    }
    const last = await running();
    const st = await cli(['status', '--config', configFile]);
    expect(st.stderr).not.toContain('not running');
    last.child.kill('SIGTERM');
    expect((await last.exited).code).toBe(0);
  }, 240_000);
});
