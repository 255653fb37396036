import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SetupError } from '../../../src/config/errors.js';
import { loadSecurity } from '../../../src/uplink/security.js';

const dir = mkdtempSync(join(tmpdir(), 'pima-sec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string, mode: number): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

const tls = { verifyServer: true };

describe('loadSecurity', () => {
  it('reads username and password from a private secrets file', () => {
    const path = file('ok.yaml', 'username: point-7\npassword: "s3cr#t"\n', 0o600);
    expect(loadSecurity({ url: 'mqtts://b:8883', secretsFile: path, tls })).toEqual({
      rejectUnauthorized: true,
      username: 'point-7',
      password: 's3cr#t',
    });
  });

  it('refuses a secrets file or client key other users can read, naming the fix, without the values', () => {
    const secrets = file('open.yaml', 'username: u\npassword: hunter2\n', 0o644);
    const key = file('client.key', 'KEY', 0o604);
    const cert = file('client.pem', 'CERT', 0o644);
    let err: unknown;
    try {
      loadSecurity({ url: 'mqtts://b', secretsFile: secrets, tls: { ...tls, cert, key } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SetupError);
    const problems = (err as SetupError).problems;
    expect(problems).toEqual([
      `mqtt.tls.key ${key} is accessible to every user on this machine (mode 0604); refusing to use it: run chmod 600 ${key}`,
      `mqtt.secretsFile ${secrets} is accessible to every user on this machine (mode 0644); refusing to use it: run chmod 600 ${secrets}`,
    ]);
    expect((err as Error).message).not.toContain('hunter2');
  });

  it('refuses a password over plain mqtt:// or ws:// unless the config says it is meant', () => {
    const path = file('plain.yaml', 'username: point-7\npassword: pw\n', 0o600);
    for (const url of ['mqtt://b:1883', 'ws://b/mqtt']) {
      expect(() => loadSecurity({ url, secretsFile: path, tls })).toThrow(
        /is not encrypted.*allowPlaintextPassword/,
      );
      expect(loadSecurity({ url, secretsFile: path, allowPlaintextPassword: true, tls })).toMatchObject({
        password: 'pw',
      });
    }
  });

  it('refuses a secrets file open to its group or owned by another user', () => {
    const group = file('group.yaml', 'username: u\npassword: p\n', 0o640);
    expect(() => loadSecurity({ url: 'mqtts://b', secretsFile: group, tls })).toThrow(
      /accessible to its group \(mode 0640\)/,
    );
    const other = file('other.yaml', 'username: u\npassword: p\n', 0o600);
    chownSync(other, 65534, 65534);
    expect(() => loadSecurity({ url: 'mqtts://b', secretsFile: other, tls })).toThrow(/belongs to uid 65534/);
  });

  it('reports a missing file, bad YAML keys, and TLS files on a plain URL, all at once', () => {
    const bad = file('bad.yaml', 'user: u\npassword: p\n', 0o600);
    const ca = file('ca.pem', 'CA', 0o644);
    let err: unknown;
    try {
      loadSecurity({ url: 'mqtt://b', secretsFile: bad, tls: { ...tls, ca, cert: join(dir, 'none.pem') } });
    } catch (e) {
      err = e;
    }
    const problems = (err as SetupError).problems;
    expect(problems[0]).toMatch(/does not use TLS/);
    expect(problems[1]).toMatch(/cert and mqtt.tls.key go together/);
    expect(problems[2]).toMatch(/mqtt.tls.cert .*none.pem: cannot read it \(ENOENT\)/);
    expect(problems[3]).toMatch(/mqtt.secretsFile .*bad.yaml: .*username/);
    expect(problems).toHaveLength(4);
  });
});
