import { readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';

/**
 * Files that hold secrets (the technician PIN, the broker password, a TLS key): they must belong to the
 * service's own user or root and be closed to the group and to everyone else. Refused otherwise, never
 * used "just this once". Used where the file is read (web, uplink) and by `check-config`.
 */

/** What the checks need to know of a file. */
export interface FileFacts {
  /** Permission bits (0o777). */
  mode: number;
  file: boolean;
  uid: number;
}

/** The file system as far as secrets need it, so tests can use real temp files or not. */
export interface SecretFiles {
  read(path: string): Buffer;
  facts(path: string): FileFacts;
  /** The user the service runs as. */
  serviceUid(): number;
}

/** The user systemd/pima-kiosk.service runs as. */
export const SERVICE_USER = 'pima-kiosk';

export const nodeSecretFiles: SecretFiles = {
  read: (path) => readFileSync(path),
  facts: (path) => {
    const st = statSync(path);
    return { mode: st.mode & 0o777, file: st.isFile(), uid: st.uid };
  },
  serviceUid: () => userInfo().uid,
};

/**
 * The files as the installed service will see them: `check-config` run by root (sudo) judges the files
 * for the service's user when that user exists, not for root, who can read anything.
 */
export function serviceSecretFiles(passwd = '/etc/passwd'): SecretFiles {
  const me = userInfo().uid;
  if (me !== 0) return nodeSecretFiles;
  let uid = me;
  try {
    for (const line of readFileSync(passwd, 'utf8').split('\n')) {
      const [name, , id] = line.split(':');
      if (name === SERVICE_USER && id !== undefined && /^\d+$/.test(id)) uid = Number(id);
    }
  } catch {
    // no passwd file: judge for root
  }
  return { ...nodeSecretFiles, serviceUid: () => uid };
}

/** Why the secret file `path` (config key `what`) must not be used, or undefined when it may. */
export function secretFileProblem(
  what: string,
  path: string,
  files: SecretFiles = nodeSecretFiles,
): string | undefined {
  let facts: FileFacts;
  try {
    facts = files.facts(path);
  } catch (err) {
    return `${what} ${path}: cannot read it (${codeOf(err)})`;
  }
  if (!facts.file) return `${what} ${path}: not a regular file`;
  const own = files.serviceUid();
  if (facts.uid !== own && facts.uid !== 0) {
    return `${what} ${path} belongs to uid ${facts.uid}, not to the service's user (uid ${own}) or root; refusing to use it: run chown ${own} ${path}`;
  }
  if (facts.uid === 0 && own !== 0 && (facts.mode & 0o077) === 0) {
    return `${what} ${path} belongs to root and is closed to others, so the service's user (uid ${own}) cannot read it: run chown ${own} ${path}`;
  }
  const mode = facts.mode.toString(8).padStart(4, '0');
  const fix = `refusing to use it: run chmod 600 ${path}`;
  if ((facts.mode & 0o007) !== 0) {
    return `${what} ${path} is accessible to every user on this machine (mode ${mode}); ${fix}`;
  }
  if ((facts.mode & 0o070) !== 0) return `${what} ${path} is accessible to its group (mode ${mode}); ${fix}`;
  return undefined;
}

/** Reads a secret file after the checks; a problem instead of the content when it fails either. */
export function readSecretFile(
  what: string,
  path: string,
  files: SecretFiles = nodeSecretFiles,
): { ok: true; data: Buffer } | { ok: false; problem: string } {
  const problem = secretFileProblem(what, path, files);
  if (problem) return { ok: false, problem };
  try {
    return { ok: true, data: files.read(path) };
  } catch (err) {
    return { ok: false, problem: `${what} ${path}: cannot read it (${codeOf(err)})` };
  }
}

export function codeOf(err: unknown): string {
  if (err instanceof Error) return 'code' in err && typeof err.code === 'string' ? err.code : err.message;
  return String(err);
}
