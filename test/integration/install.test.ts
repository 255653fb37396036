import { spawnSync } from 'node:child_process';
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemdAnalyze } from '../helpers/systemd.js';

const SCRIPT = resolve('scripts/install.sh');
const ROOT = mkdtempSync(join(tmpdir(), 'kiosk-install-'));
afterAll(() => rmSync(ROOT, { recursive: true, force: true }));

const BOOT_CONFIG = '# Raspberry Pi config\ndtparam=audio=on\n\n[cm4]\notg_mode=1\n';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function install(args: readonly string[], env: Record<string, string> = {}): Result {
  const r = spawnSync('bash', [SCRIPT, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh root: what Raspberry Pi OS has before the installer (a config.txt in /boot/firmware). */
function freshRoot(name: string): string {
  const root = join(ROOT, name);
  mkdirSync(join(root, 'boot/firmware'), { recursive: true });
  writeFileSync(join(root, 'boot/firmware/config.txt'), BOOT_CONFIG);
  return root;
}

/** Every file and link under a root: content hash, mode and mtime, to prove a run changed nothing. */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const st = lstatSync(path);
      if (st.isDirectory()) {
        out.set(`${path}/`, (st.mode & 0o7777).toString(8));
        walk(path);
      } else {
        const hash = st.isFile() ? createHash('sha256').update(readFileSync(path)).digest('hex') : 'link';
        out.set(path, `${hash} ${(st.mode & 0o7777).toString(8)} ${st.mtimeMs}`);
      }
    }
  };
  walk(root);
  return out;
}

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
const read = (path: string) => readFileSync(path, 'utf8');
const nodeOnPath = spawnSync('sh', ['-c', 'command -v node'], { encoding: 'utf8' }).stdout.trim();

describe('scripts/install.sh into a root prefix', () => {
  const root = freshRoot('main');
  const first = install(['--prefix', root, '--no-npm', '--enable-1wire', '--enable-watchdog']);

  it('succeeds and says what it did and what the technician must still do', () => {
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/would run: useradd --system .*pima-kiosk/);
    expect(first.stdout).toMatch(/would run: usermod --append --groups dialout,gpio pima-kiosk/);
    expect(first.stdout).toMatch(/Still to do:[\s\S]*config\.yaml[\s\S]*reboot[\s\S]*wire the sensors/);
  });

  it('installs the app, its CLI and the unit (following the node it found)', () => {
    const app = join(root, 'opt/pima-kiosk');
    for (const f of [
      'dist/src/main.js',
      'package.json',
      'package-lock.json',
      'config/raspberry-pi.example.yaml',
    ]) {
      expect(existsSync(join(app, f)), f).toBe(true);
    }
    expect(read(join(app, 'dist/src/main.js'))).toBe(read('dist/src/main.js'));
    expect(existsSync(join(app, 'node_modules'))).toBe(false); // --no-npm
    const cli = join(root, 'usr/local/bin/pima-kiosk');
    expect(mode(cli)).toBe('755');
    expect(read(cli)).toContain(`exec ${nodeOnPath} /opt/pima-kiosk/dist/src/main.js "$@"`);
    const unit = read(join(root, 'etc/systemd/system/pima-kiosk.service'));
    expect(unit).toBe(
      read('systemd/pima-kiosk.service').replace(
        /^(ExecStart|ExecStopPost)=\/usr\/bin\/node /gm,
        (_, key: string) => `${key}=${nodeOnPath} `,
      ),
    );
    const verify = systemdAnalyze(['verify', join(root, 'etc/systemd/system/pima-kiosk.service')]);
    expect(verify.stderr).toBe('');
    expect(verify.code).toBe(0);
  });

  it('puts the commented example config in /etc/pima-kiosk, readable by the service group only', () => {
    const conf = join(root, 'etc/pima-kiosk/config.yaml');
    expect(read(conf)).toBe(read('config/raspberry-pi.example.yaml'));
    expect(mode(conf)).toBe('640');
    expect(mode(join(root, 'var/lib/pima-kiosk'))).toBe('750');
  });

  it('the installed app validates the installed config: only the files still to be made are missing', () => {
    // the copy has no node_modules (--no-npm), so borrow this checkout's for the check
    const probe = join(ROOT, 'probe-app');
    cpSync(join(root, 'opt/pima-kiosk'), probe, { recursive: true });
    symlinkSync(resolve('node_modules'), join(probe, 'node_modules'));
    const r = spawnSync(
      process.execPath,
      [join(probe, 'dist/src/main.js'), 'check-config', '--config', join(root, 'etc/pima-kiosk/config.yaml')],
      { encoding: 'utf8' },
    );
    // the schema is satisfied; what check-config reports is the secrets, TLS and PIN files the example
    // names and the installer leaves to the installer's checklist (docs/security.md)
    const lines = r.stderr.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/: cannot read it \(ENOENT\)/);
    expect(r.stderr).toMatch(/web\.pinFile \/etc\/pima-kiosk\/tech-pin: cannot read it/);
    expect(r.stderr).toMatch(/mqtt\.secretsFile \/etc\/pima-kiosk\/secrets\.yaml: cannot read it/);
    expect(r.status).toBe(78);
  });

  it("makes the point's own /tech certificate once: a private key, a certificate tech-cert can read", () => {
    const cert = join(root, 'etc/pima-kiosk/tech-tls.crt');
    const key = join(root, 'etc/pima-kiosk/tech-tls.key');
    expect(mode(key)).toBe('600');
    expect(mode(cert)).toBe('644');
    const x509 = new X509Certificate(readFileSync(cert));
    expect(x509.checkPrivateKey(createPrivateKey(readFileSync(key)))).toBe(true);
    expect(x509.subjectAltName).toMatch(/IP Address:127.0.0.1/);
  });

  it('installs udev names, journald limits and the hardware watchdog', () => {
    expect(read(join(root, 'etc/udev/rules.d/99-pima-kiosk.rules'))).toBe(
      read('deploy/udev/99-pima-kiosk.rules'),
    );
    expect(read(join(root, 'etc/systemd/journald.conf.d/pima-kiosk.conf'))).toMatch(/^SystemMaxUse=\d+M$/m);
    expect(read(join(root, 'etc/systemd/system.conf.d/pima-kiosk-watchdog.conf'))).toMatch(
      /^\[Manager\]\nRuntimeWatchdogSec=10s$/m,
    );
  });

  it('enables the 1-Wire overlay once, keeping the rest of config.txt', () => {
    const text = read(join(root, 'boot/firmware/config.txt'));
    expect(text.startsWith(BOOT_CONFIG)).toBe(true);
    expect(text.match(/^dtoverlay=w1-gpio,gpiopin=4$/gm)).toHaveLength(1);
    // after a [cm4] filter the overlay would apply to a CM4 only: it sits in its own [all] section
    expect(text.slice(BOOT_CONFIG.length)).toMatch(/^\[all\]$[\s\S]*dtoverlay=w1-gpio/m);
  });

  it('changes nothing when run a second time', () => {
    const before = snapshot(root);
    const again = install(['--prefix', root, '--no-npm', '--enable-1wire', '--enable-watchdog']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to change');
    expect(snapshot(root)).toEqual(before);
  });

  it('--uninstall removes what it added, restores config.txt and keeps the log and an edited config', () => {
    const record = join(root, 'var/lib/pima-kiosk/kiosk.db');
    writeFileSync(record, 'the record');
    const conf = join(root, 'etc/pima-kiosk/config.yaml');
    writeFileSync(conf, `${read(conf)}\n# edited on site\n`);
    const r = install(['--prefix', root, '--uninstall']);
    expect(r.code).toBe(0);
    for (const gone of [
      'opt/pima-kiosk',
      'usr/local/bin/pima-kiosk',
      'etc/systemd/system/pima-kiosk.service',
      'etc/udev/rules.d/99-pima-kiosk.rules',
      'etc/systemd/journald.conf.d/pima-kiosk.conf',
      'etc/systemd/system.conf.d/pima-kiosk-watchdog.conf',
    ]) {
      expect(existsSync(join(root, gone)), gone).toBe(false);
    }
    expect(read(join(root, 'boot/firmware/config.txt'))).toBe(BOOT_CONFIG);
    expect(read(record)).toBe('the record');
    expect(read(conf)).toMatch(/# edited on site/);
    expect(r.stdout).toMatch(/kept .*var\/lib\/pima-kiosk/);
    // and a second uninstall has nothing left to do
    const before = snapshot(root);
    expect(install(['--prefix', root, '--uninstall']).stdout).toContain('Nothing to change');
    expect(snapshot(root)).toEqual(before);
  });
});

describe('deploy/udev/99-pima-kiosk.rules', () => {
  /** Each rule as key/operator/value triples; throws on a line that is not udev syntax. */
  const rules = read('deploy/udev/99-pima-kiosk.rules')
    .split('\n')
    .filter((l) => l.trim() && !l.trim().startsWith('#'))
    .map((line) =>
      line.split(/,\s*/).map((part) => {
        const m = /^([A-Z_]+(?:\{[A-Za-z_]+\})?)(==|!=|\+=|=)"([^"]*)"$/.exec(part.trim());
        if (!m) throw new Error(`not a udev key: ${part} in ${line}`);
        return { key: m[1], op: m[2], value: m[3] };
      }),
    );
  const named = (link: string) =>
    rules
      .filter((r) => r.some((p) => p.key === 'SYMLINK' && p.op === '+=' && p.value === link))
      .map((r) => Object.fromEntries(r.filter((p) => p.op === '==').map((p) => [p.key, p.value])));

  it('names the VE.Direct cable, the Firmata Nano and the RS-485 adapter', () => {
    expect(named('pima-vedirect')).toEqual([
      {
        SUBSYSTEM: 'tty',
        'ATTRS{idVendor}': '0403',
        'ATTRS{idProduct}': '6015',
        'ATTRS{product}': 'VE Direct cable',
      },
    ]);
    expect(named('pima-firmata').map((m) => `${m['ATTRS{idVendor}']}:${m['ATTRS{idProduct}']}`)).toEqual([
      '1a86:7523',
      '0403:6001',
    ]);
    expect(named('pima-dse').length).toBeGreaterThan(0);
    // no two names for one chip: the Nano and the RS-485 rules must not overlap
    const ids = (link: string) => named(link).map((m) => `${m['ATTRS{idVendor}']}:${m['ATTRS{idProduct}']}`);
    expect(ids('pima-dse').filter((id) => ids('pima-firmata').includes(id))).toEqual([]);
    for (const r of rules.filter((r) => r.some((p) => p.key === 'SYMLINK'))) {
      expect(r).toContainEqual({ key: 'GROUP', op: '=', value: 'dialout' });
    }
  });
});

describe('scripts/install.sh, other cases', () => {
  it('never overwrites an existing config and leaves an existing w1-gpio overlay alone', () => {
    const root = freshRoot('existing');
    mkdirSync(join(root, 'etc/pima-kiosk'), { recursive: true });
    writeFileSync(join(root, 'etc/pima-kiosk/config.yaml'), 'point:\n  id: our-point\n');
    writeFileSync(join(root, 'boot/firmware/config.txt'), `${BOOT_CONFIG}dtoverlay=w1-gpio\n`);
    const r = install(['--prefix', root, '--no-npm', '--enable-1wire']);
    expect(r.code).toBe(0);
    expect(read(join(root, 'etc/pima-kiosk/config.yaml'))).toBe('point:\n  id: our-point\n');
    expect(read(join(root, 'boot/firmware/config.txt'))).toBe(`${BOOT_CONFIG}dtoverlay=w1-gpio\n`);
    expect(existsSync(join(root, 'etc/systemd/system.conf.d/pima-kiosk-watchdog.conf'))).toBe(false);
  });

  it('keeps the replaced version as /opt/pima-kiosk.prev on upgrade, and --rollback swaps them back', () => {
    const root = freshRoot('upgrade');
    const v1 = join(ROOT, 'src-v1');
    const v2 = join(ROOT, 'src-v2');
    for (const [src, version] of [
      [v1, 'one'],
      [v2, 'two'],
    ] as const) {
      for (const item of ['dist/src', 'config', 'systemd', 'deploy', 'package.json', 'package-lock.json']) {
        cpSync(resolve(item), join(src, item), { recursive: true });
      }
      writeFileSync(join(src, 'README.md'), `version ${version}\n`);
    }
    expect(install(['--prefix', root, '--no-npm', '--source', v1]).code).toBe(0);
    expect(existsSync(join(root, 'opt/pima-kiosk.prev'))).toBe(false);
    const r = install(['--prefix', root, '--no-npm', '--source', v2]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/kept the previous version as .*pima-kiosk\.prev/);
    expect(read(join(root, 'opt/pima-kiosk/README.md'))).toBe('version two\n');
    expect(read(join(root, 'opt/pima-kiosk.prev/README.md'))).toBe('version one\n');
    const back = install(['--prefix', root, '--rollback']);
    expect(back.code).toBe(0);
    expect(read(join(root, 'opt/pima-kiosk/README.md'))).toBe('version one\n');
    expect(read(join(root, 'opt/pima-kiosk.prev/README.md'))).toBe('version two\n');
  });

  it('refuses a Node older than 20 and says how to get a new one, installing nothing', () => {
    const root = freshRoot('old-node');
    const bin = join(ROOT, 'old-node-bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'node'), '#!/bin/sh\necho v18.19.0\n');
    chmodSync(join(bin, 'node'), 0o755);
    const r = install(['--prefix', root, '--no-npm'], { PATH: `${bin}:${process.env.PATH ?? ''}` });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/v18\.19\.0 is too old: pima-kiosk needs 20/);
    expect(r.stderr).toMatch(/nodesource/i);
    expect(readdirSync(root)).toEqual(['boot']);
  });

  it('refuses a checkout that was not built', () => {
    const root = freshRoot('no-build');
    const src = join(ROOT, 'src-unbuilt');
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, 'package.json'), '{}');
    const r = install(['--prefix', root, '--no-npm', '--source', src]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/npm ci && npm run build/);
  });

  it('rejects unknown options with the usage exit code', () => {
    const r = install(['--prefix', join(ROOT, 'x'), '--frobnicate']);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/--enable-1wire/);
  });

  it('is shellcheck-clean, and so is scripts/test-pi.sh that runs it on arm64', () => {
    const r = spawnSync('shellcheck', [SCRIPT, resolve('scripts/test-pi.sh')], { encoding: 'utf8' });
    expect(r.error).toBeUndefined();
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('scripts/install.sh --kiosk-screen and a release tarball', () => {
  const CMDLINE = 'console=serial0,115200 console=tty1 root=PARTUUID=6c586e13-02 rootfstype=ext4 rootwait\n';

  it('sets up the door screen: cage + Chromium on tty1 as its own user, no blanking, once', () => {
    const root = freshRoot('screen');
    writeFileSync(join(root, 'boot/firmware/cmdline.txt'), CMDLINE);
    const r = install(['--prefix', root, '--no-npm', '--kiosk-screen']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /would run: apt-get install -y --no-install-recommends cage chromium fonts-dejavu-core/,
    );
    expect(r.stdout).toMatch(/would run: useradd --system .*pima-screen/);
    expect(r.stdout).toMatch(/would run: systemctl enable pima-kiosk-screen/);
    const unit = read(join(root, 'etc/systemd/system/pima-kiosk-screen.service'));
    expect(unit).toMatch(/^User=pima-screen$/m);
    expect(unit).toMatch(/^PAMName=login$/m);
    expect(unit).toMatch(/^TTYPath=\/dev\/tty1$/m);
    expect(unit).toMatch(/^Conflicts=getty@tty1\.service$/m);
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/cage -d -s -- \/usr\/bin\/chromium --kiosk /m);
    expect(unit).toMatch(/http:\/\/127\.0\.0\.1:8080\/$/m);
    expect(unit).toMatch(/^Restart=always$/m);
    // one line, with the setting appended once
    expect(read(join(root, 'boot/firmware/cmdline.txt'))).toBe(`${CMDLINE.trimEnd()} consoleblank=0\n`);
    const before = snapshot(root);
    const again = install(['--prefix', root, '--no-npm', '--kiosk-screen']);
    expect(again.stdout).toContain('Nothing to change');
    expect(snapshot(root)).toEqual(before);
    const gone = install(['--prefix', root, '--uninstall']);
    expect(gone.code).toBe(0);
    expect(existsSync(join(root, 'etc/systemd/system/pima-kiosk-screen.service'))).toBe(false);
  });

  it('installs a release with its node_modules and release.json', () => {
    const root = freshRoot('release');
    const rel = join(ROOT, 'release-src');
    for (const item of ['dist/src', 'config', 'systemd', 'deploy', 'package.json', 'package-lock.json']) {
      cpSync(resolve(item), join(rel, item), { recursive: true });
    }
    mkdirSync(join(rel, 'node_modules/left-pad'), { recursive: true });
    writeFileSync(join(rel, 'node_modules/left-pad/index.js'), 'module.exports = 1;\n');
    writeFileSync(join(rel, 'release.json'), '{"version":"0.1.0","nativeModules":["better-sqlite3"]}\n');
    const r = install(['--prefix', root, '--no-npm', '--source', rel]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(read(join(root, 'opt/pima-kiosk/node_modules/left-pad/index.js'))).toBe('module.exports = 1;\n');
    expect(existsSync(join(root, 'opt/pima-kiosk/release.json'))).toBe(true);
    // a release without its dependencies is refused
    rmSync(join(rel, 'node_modules'), { recursive: true });
    const broken = install(['--prefix', freshRoot('release-broken'), '--no-npm', '--source', rel]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/has no node_modules/);
  });

  /** A release whose node_modules has this machine's real better-sqlite3 (built for this Node). */
  function releaseWithNatives(name: string, nativeModules: readonly string[]): string {
    const rel = join(ROOT, name);
    for (const item of ['dist/src', 'config', 'systemd', 'deploy', 'package.json']) {
      cpSync(resolve(item), join(rel, item), { recursive: true });
    }
    for (const mod of ['better-sqlite3', 'bindings', 'file-uri-to-path']) {
      cpSync(resolve('node_modules', mod), join(rel, 'node_modules', mod), { recursive: true });
    }
    writeFileSync(join(rel, 'release.json'), `${JSON.stringify({ version: '0.1.0', nativeModules })}\n`);
    return rel;
  }

  it('uses the native modules a release carries when they load on this Node: no compiler, no build', () => {
    const rel = releaseWithNatives('release-natives-ok', ['better-sqlite3']);
    const root = freshRoot('release-natives-ok');
    const r = install(['--prefix', root, '--source', rel]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/native modules load on Node\.js v\d+\.\d+\.\d+ \(.+\): nothing to compile/);
    expect(r.stdout).not.toMatch(/apt-get install/);
    expect(r.stdout).not.toMatch(/Building the native modules/);
    expect(
      existsSync(join(root, 'opt/pima-kiosk/node_modules/better-sqlite3/build/Release/better_sqlite3.node')),
    ).toBe(true);
  });

  it('builds only the native modules that do not load here, and installs nothing when they still do not', () => {
    const rel = releaseWithNatives('release-natives-bad', ['better-sqlite3', 'not-for-this-cpu']);
    // A binary this Node cannot load (as one for another CPU or Node is): dlopen refuses it.
    const bad = join(rel, 'node_modules/not-for-this-cpu');
    mkdirSync(join(bad, 'build/Release'), { recursive: true });
    writeFileSync(
      join(bad, 'package.json'),
      '{"name":"not-for-this-cpu","version":"1.0.0","main":"index.js"}\n',
    );
    writeFileSync(join(bad, 'index.js'), "module.exports = require('./build/Release/addon.node');\n");
    writeFileSync(join(bad, 'build/Release/addon.node'), 'not an ELF file\n');
    const root = freshRoot('release-natives-bad');
    const r = install(['--prefix', root, '--source', rel]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not-for-this-cpu does not load here: .*addon\.node/);
    expect(r.stderr).not.toMatch(/better-sqlite3 does not load/);
    expect(r.stdout).toMatch(/would run: apt-get install -y --no-install-recommends g\+\+ make python3/);
    // only the module that failed is rebuilt
    expect(r.stdout).toMatch(/Building the native modules \(not-for-this-cpu\) for Node\.js/);
    expect(r.stderr).toMatch(/still not loading after the build: not-for-this-cpu/);
    expect(r.stderr).toMatch(/building the native modules failed; the installed version was left as it was/);
    expect(existsSync(join(root, 'opt/pima-kiosk'))).toBe(false);
    expect(existsSync(join(root, 'opt/pima-kiosk.new'))).toBe(false);
  });
});
