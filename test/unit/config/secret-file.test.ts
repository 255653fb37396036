import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type FileFacts,
  type SecretFiles,
  secretFileProblem,
  serviceSecretFiles,
} from '../../../src/config/secret-file.js';

const dir = mkdtempSync(join(tmpdir(), 'pima-secret-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Files as a service running as `uid` sees them: one file with these facts. */
function files(facts: FileFacts | Error, uid: number): SecretFiles {
  return {
    read: () => Buffer.from('x'),
    facts: () => {
      if (facts instanceof Error) throw facts;
      return facts;
    },
    serviceUid: () => uid,
  };
}

describe('secretFileProblem', () => {
  const SERVICE = 999;
  const verdict = (facts: FileFacts | Error, uid = SERVICE) =>
    secretFileProblem('web.pinFile', '/etc/pima-kiosk/tech-pin', files(facts, uid));

  it('accepts a 0600 or 0400 file of the service user, and a root file when the service runs as root', () => {
    expect(verdict({ mode: 0o600, file: true, uid: SERVICE })).toBeUndefined();
    expect(verdict({ mode: 0o400, file: true, uid: SERVICE })).toBeUndefined();
    expect(verdict({ mode: 0o600, file: true, uid: 0 }, 0)).toBeUndefined();
  });

  it('refuses every group or other bit, another owner, a root file the service cannot read, a directory', () => {
    for (const mode of [0o604, 0o602, 0o601, 0o640, 0o620, 0o610, 0o660, 0o644]) {
      expect(verdict({ mode, file: true, uid: SERVICE }), mode.toString(8)).toMatch(
        new RegExp(`mode 0${mode.toString(8)}\\); refusing to use it: run chmod 600`),
      );
    }
    expect(verdict({ mode: 0o600, file: true, uid: 1000 })).toMatch(
      /belongs to uid 1000, not to the service's user \(uid 999\)/,
    );
    expect(verdict({ mode: 0o600, file: true, uid: 0 })).toMatch(
      /belongs to root .* \(uid 999\) cannot read it: run chown 999/,
    );
    expect(verdict({ mode: 0o700, file: false, uid: SERVICE })).toMatch(/not a regular file/);
    expect(verdict(Object.assign(new Error('x'), { code: 'ENOENT' }))).toMatch(/cannot read it \(ENOENT\)/);
  });
});

describe('serviceSecretFiles', () => {
  it('as root, judges for the pima-kiosk user from the passwd file; without one, for root', () => {
    const passwd = join(dir, 'passwd');
    writeFileSync(
      passwd,
      'root:x:0:0:root:/root:/bin/bash\npima-kiosk:x:997:997::/var/lib/pima-kiosk:/usr/sbin/nologin\n',
    );
    const asRoot = process.getuid?.() === 0;
    expect(serviceSecretFiles(passwd).serviceUid()).toBe(asRoot ? 997 : process.getuid?.());
    expect(serviceSecretFiles(join(dir, 'none')).serviceUid()).toBe(process.getuid?.());
  });
});
