// Per-point broker credentials the way docs/broker/README.md tells an administrator to make them:
// one user per point (username = point.id), hashed into a Mosquitto password file by mosquitto_passwd.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Credential {
  username: string;
  password: string;
}

/** The service users of the shipped ACL template (their `_` cannot occur in a point.id). */
export const RECEIVER_USER = 'pima_receiver';
export const MONITOR_USER = 'pima_monitor';

/** The repository root, from dist/bench/fleet or bench/fleet. */
export function repoRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.includes(`${join('dist', 'bench')}`) ? join(here, '..', '..', '..') : join(here, '..', '..');
}

/** The shipped ACL template (docs/broker/aclfile), unchanged. */
export function shippedAclPath(): string {
  return join(repoRoot(), 'docs', 'broker', 'aclfile');
}

export function newCredential(username: string): Credential {
  return { username, password: randomBytes(18).toString('base64url') };
}

/**
 * Writes `user:password` lines (mode 0600) and lets `mosquitto_passwd -U` hash them in place: one
 * process for the whole fleet instead of one `-b` call per point.
 */
export function writePasswordFile(file: string, users: readonly Credential[]): void {
  for (const u of users) {
    if (u.username.includes(':') || u.password.includes('\n'))
      throw new Error(`bad credential ${u.username}`);
  }
  writeFileSync(file, users.map((u) => `${u.username}:${u.password}\n`).join(''), { mode: 0o600 });
  chmodSync(file, 0o600);
  execFileSync('mosquitto_passwd', ['-U', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  const hashed = readFileSync(file, 'utf8');
  if (users.some((u) => hashed.includes(`:${u.password}\n`)))
    throw new Error('mosquitto_passwd -U left a plain password');
}

/** A point's mqtt.secretsFile (src/uplink/security.ts), mode 0600 as the service insists. */
export function writeSecretsFile(file: string, cred: Credential): void {
  writeFileSync(file, `username: ${cred.username}\npassword: ${cred.password}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/**
 * Mosquitto started as root drops to the `mosquitto` user before it reads the password and ACL files,
 * so they must belong to that user (still mode 0600). Not root: the broker runs as us and can read them.
 */
export function handToBroker(files: readonly string[], isRoot: boolean): void {
  if (!isRoot) return;
  let ids: { uid: number; gid: number };
  try {
    const uid = Number(execFileSync('id', ['-u', 'mosquitto'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'mosquitto'], { encoding: 'utf8' }).trim());
    ids = { uid, gid };
  } catch {
    return; // no mosquitto user: the broker stays root and reads them anyway
  }
  for (const f of files) chownSync(f, ids.uid, ids.gid);
}
