import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exposureOf, systemdAnalyze, unitDirectives } from '../helpers/systemd.js';

const UNIT = resolve('systemd/pima-kiosk.service');
const text = readFileSync(UNIT, 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'kiosk-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of the unit, edited, under its own name so systemd-analyze reports on it. */
function variant(edit: (t: string) => string): string {
  const sub = mkdtempSync(join(dir, 'v-'));
  const path = join(sub, 'pima-kiosk.service');
  writeFileSync(path, edit(text));
  return path;
}

describe('systemd/pima-kiosk.service', () => {
  it('passes systemd-analyze verify with no warnings', () => {
    // verify checks that ExecStart's binary exists: follow this machine's node if it is elsewhere
    const unit = existsSync('/usr/bin/node')
      ? UNIT
      : variant((t) =>
          t.replace(
            /^(ExecStart|ExecStopPost)=\/usr\/bin\/node /gm,
            (_, key: string) => `${key}=${process.execPath} `,
          ),
        );
    const r = systemdAnalyze(['verify', unit]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('verify would catch a mistake (the check above can fail)', () => {
    const r = systemdAnalyze([
      'verify',
      variant((t) => t.replace('NoNewPrivileges=yes', 'NoNewPrivilegs=yes')),
    ]);
    expect(r.stderr).toMatch(/Unknown key .*NoNewPrivilegs/);
  });

  it('has an exposure level of at most 3.0 in systemd-analyze security --offline=true', () => {
    const r = systemdAnalyze(['security', '--offline=true', '--no-pager', UNIT]);
    expect(r.code).toBe(0);
    const exposure = exposureOf(r.stdout);
    expect(exposure).toBeLessThanOrEqual(3.0);
    expect(exposure).toBeGreaterThan(0);
  });

  it('the same check scores a unit without the hardening well above 3.0', () => {
    const bare = variant((t) => {
      const start = t.indexOf('DevicePolicy=closed');
      const end = t.indexOf('[Install]');
      return t.slice(0, start) + t.slice(end);
    });
    const r = systemdAnalyze(['security', '--offline=true', '--no-pager', bare]);
    expect(exposureOf(r.stdout)).toBeGreaterThan(5);
  });

  it('notifies, watches, restarts and never restart-loops on an invalid config (exit 78)', () => {
    const d = unitDirectives(text);
    expect(d.get('Type')).toEqual(['notify']);
    // the notify messages come from the systemd-notify helper, a child process
    expect(d.get('NotifyAccess')).toEqual(['all']);
    expect(Number(d.get('WatchdogSec')?.[0])).toBeGreaterThan(0);
    expect(d.get('Restart')).toEqual(['on-failure']);
    expect(d.get('RestartPreventExitStatus')?.join(' ').split(/\s+/)).toContain('78');
    expect(d.get('ExecStart')).toEqual([
      '/usr/bin/node --single-threaded-gc /opt/pima-kiosk/dist/src/main.js run',
    ]);
    // the sign goes dark after every stop, including a crash: sysfs keeps a dead process's levels
    expect(d.get('ExecStopPost')).toEqual(['/usr/bin/node /opt/pima-kiosk/dist/src/main.js sign dark']);
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { bin: Record<string, string> };
    expect(d.get('ExecStart')?.[0]).toContain(pkg.bin['pima-kiosk']);
  });

  it('runs as its own user with state in /var/lib/pima-kiosk and config in /etc/pima-kiosk', () => {
    const d = unitDirectives(text);
    expect(d.get('User')).toEqual(['pima-kiosk']);
    expect(d.get('StateDirectory')).toEqual(['pima-kiosk']);
    expect(d.get('ConfigurationDirectory')).toEqual(['pima-kiosk']);
    expect(d.get('WorkingDirectory')).toEqual(['/var/lib/pima-kiosk']);
    expect(d.get('Environment')).toContain('PIMA_KIOSK_CONFIG=/etc/pima-kiosk/config.yaml');
  });

  it('keeps serial, GPIO and 1-Wire reachable: device ACL and groups, none of the options that break them', () => {
    const d = unitDirectives(text);
    expect(d.get('SupplementaryGroups')?.join(' ').split(/\s+/)).toEqual(
      expect.arrayContaining(['dialout', 'gpio']),
    );
    expect(d.get('DevicePolicy')).toEqual(['closed']);
    expect(d.get('DeviceAllow')).toEqual(
      expect.arrayContaining(['char-ttyUSB rw', 'char-ttyACM rw', 'char-gpiochip rw']),
    );
    // V8's JIT needs W+X memory; PrivateDevices hides /dev/tty*; ProtectKernelTunables makes /sys read-only
    for (const key of ['MemoryDenyWriteExecute', 'PrivateDevices', 'ProtectKernelTunables', 'PrivateUsers']) {
      expect(d.get(key), key).toBeUndefined();
    }
    // the ones the app needs off must not be switched on by another name either
    expect(text).not.toMatch(
      /^\s*(MemoryDenyWriteExecute|PrivateDevices|ProtectKernelTunables)\s*=\s*(yes|true|1)/m,
    );
  });
});
