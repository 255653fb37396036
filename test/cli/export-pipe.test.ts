import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openLog } from '../../src/store/sqlite-log.js';
import { MAIN } from '../helpers/cli.js';

/**
 * The "export returned far fewer rows" anomaly (issue 17): the log was complete, but the CLI forced its
 * exit 200 ms after the command returned while a pipe to a slow reader still held megabytes of the
 * export in Node's write queue, so the reader got a prefix, cut mid-line, with exit code 0. On a loaded
 * machine any pipe reader is slow; here the reader simply does not read for a second.
 */
describe('pima-kiosk export into a slow pipe', () => {
  const dir = mkdtempSync(join(tmpdir(), 'export-pipe-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('delivers every row committed, however slowly the pipe is read', async () => {
    const path = join(dir, 'kiosk.db');
    const log = openLog(path);
    const rows = 40_000;
    const ts = Date.UTC(2026, 11, 1);
    for (let i = 0; i < rows; i += 1000) {
      log.appendReadings(
        Array.from({ length: 1000 }, (_, k) => ({
          channel: 'battery.voltage',
          value: i + k,
          ts: ts + i + k,
        })),
      );
    }
    log.close();
    const config = join(dir, 'config.yaml');
    writeFileSync(config, `point:\n  id: export-pipe\nstorage:\n  path: ${path}\n`);

    const child = spawn(process.execPath, [MAIN, 'export', '--format', 'csv', '--config', config], {
      env: { ...process.env, PIMA_KIOSK_CONFIG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // A reader busy elsewhere: it takes each chunk, then looks away for a while before the next one.
    const chunks: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => {
      chunks.push(d);
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), 15);
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    const text = Buffer.concat(chunks).toString();
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = text.split('\n');
    expect(lines.at(-1)).toBe(''); // ends with a whole line
    expect(lines.length - 2).toBe(rows); // header and the final empty string
    expect(lines.at(-2)).toMatch(new RegExp(`^${rows},`));
    // generous: 40,000 rows written, then read through a pipe that looks away, at a load of 20
  }, 120_000);
});
