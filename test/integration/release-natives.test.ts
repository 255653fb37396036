// scripts/release-natives.mjs: the check that an arch release (`npm run release -- --arch arm64`) carries
// native binaries for its CPU, run on real binaries (this machine's own compiled better-sqlite3).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = resolve('scripts/release-natives.mjs');
const ROOT = mkdtempSync(join(tmpdir(), 'kiosk-release-natives-'));
afterAll(() => rmSync(ROOT, { recursive: true, force: true }));

// This machine's arch and one it is not.
const HOST = process.arch;
const OTHER = HOST === 'arm64' ? 'x64' : 'arm64';

function natives(...args: string[]) {
  const r = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A release dir with this machine's compiled better-sqlite3, release.json saying it is for `arch`. */
function release(name: string, arch: string | null, withBinary = true): string {
  const dir = join(ROOT, name);
  const mod = join(dir, 'node_modules/better-sqlite3');
  mkdirSync(join(mod, 'build/Release'), { recursive: true });
  writeFileSync(join(mod, 'package.json'), '{"name":"better-sqlite3"}\n');
  if (withBinary) {
    cpSync(
      resolve('node_modules/better-sqlite3/build/Release/better_sqlite3.node'),
      join(mod, 'build/Release/better_sqlite3.node'),
    );
  }
  const info = { nativeModules: ['better-sqlite3'], natives: arch === null ? null : { arch } };
  writeFileSync(join(dir, 'release.json'), `${JSON.stringify(info)}\n`);
  return dir;
}

describe('scripts/release-natives.mjs verify', () => {
  it("passes a release whose binaries are for release.json's arch, naming each", () => {
    const r = natives('verify', release('host', HOST));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`node_modules/better-sqlite3/build/Release/better_sqlite3.node: linux-${HOST}\n`);
  });

  it('refuses a binary for another CPU, naming the file and both machines', () => {
    const r = natives('verify', release('other', OTHER));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`better_sqlite3\\.node is for ELF machine ${HOST === 'x64' ? 62 : 183}, not ${OTHER}`),
    );
  });

  it('refuses a module without a binary, and a release that carries none', () => {
    const missing = natives('verify', release('missing', HOST, false));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(`better-sqlite3 has no native binary for linux-${HOST}`);
    const plain = natives('verify', release('plain', null));
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/carries no built native modules/);
    const notElf = release('not-elf', HOST, false);
    writeFileSync(
      join(notElf, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'),
      '#!/bin/sh\n',
    );
    expect(natives('verify', notElf).stderr).toMatch(/is for ELF machine \(not an ELF\)/);
  });
});

describe('scripts/release-natives.mjs newest', () => {
  it('picks the highest version numerically, whatever order the registry lists them in', () => {
    expect(natives('newest', '24.21.0', '24.22.3', '24.22.1').stdout).toBe('24.22.3\n');
    expect(natives('newest', '24.9.5', '24.10.0').stdout).toBe('24.10.0\n');
    expect(natives('newest', '24.0.0').stdout).toBe('24.0.0\n');
  });
});
