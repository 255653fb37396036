import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderBar } from '../../src/cli/progress.js';
import { LATEST_VERSION } from '../../src/store/migrations.js';
import { openLog } from '../../src/store/sqlite-log.js';
import { cli } from '../helpers/cli.js';

describe('pima-kiosk db check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'kiosk.db');
  const cfg = join(dir, 'config.yaml');
  writeFileSync(cfg, `point:\n  id: cli-test\nstorage:\n  path: ${path}\n`);

  it('reports integrity, seq ranges and backlog read-only, and exits 0', async () => {
    const log = openLog(path);
    log.appendReadings(
      Array.from({ length: 30 }, (_, i) => ({ channel: 'battery.soc', value: i, ts: 1e12 + i })),
    );
    log.markSent('telemetry', 10);
    const health = (ts: number, driver: string, state: string, message: string) => ({
      ts,
      type: 'driver.health',
      level: 'info' as const,
      message: `${driver}: ${state} (${message})`,
      data: { driver, health: state },
    });
    for (const e of [
      health(1e12, 'ds18b20.indoor', 'starting', 'first read'),
      health(
        1e12 + 1,
        'ds18b20.indoor',
        'ok',
        '28-02109246bc1c reads; family D1 (counterfeit: byte 7 = 0x66)',
      ),
      health(1e12 + 2, 'vedirect.battery', 'ok', 'valid blocks from /dev/ttyUSB0: inverter (PID 0xA201)'),
    ])
      log.appendEvent(e);
    log.close();
    const human = await cli(['db', 'check', '--config', cfg]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/integrity {3}ok/);
    expect(human.stdout).toContain('30 rows, seq 1..30');
    // the sensors' own last word: the DS18B20's family, the VE.Direct device's kind
    expect(human.stdout).toContain('ds18b20.indoor: ok (28-02109246bc1c reads; family D1 (counterfeit');
    expect(human.stdout).toContain(
      'vedirect.battery: ok (valid blocks from /dev/ttyUSB0: inverter (PID 0xA201))',
    );
    expect(human.stdout).not.toContain('first read');
    const json = await cli(['db', 'check', '--json', '--quick', '--config', cfg]);
    const report = JSON.parse(json.stdout) as {
      ok: boolean;
      backlog: { telemetry: number };
      schemaVersion: number;
    };
    expect(report).toMatchObject({ ok: true, backlog: { telemetry: 20 }, schemaVersion: LATEST_VERSION });
  });

  it('refuses an unknown action with a usage error', async () => {
    const r = await cli(['db', 'vacuum', '--config', cfg]);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('use: db check');
  });

  it('draws a bounded progress bar', () => {
    expect(renderBar('export', 0.5, 10, 10)).toBe('export [#####.....]  50 %  10 rows');
    expect(renderBar('export', 7, 1, 4)).toBe('export [####] 100 %  1 rows');
  });
});
