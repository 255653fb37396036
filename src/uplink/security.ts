import { readFileSync, statSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { SetupError } from '../config/errors.js';

/** What the MQTT connection needs for authentication and TLS, read once at startup. */
export interface UplinkSecurity {
  username?: string;
  password?: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** Verify the broker's certificate chain and host name (TLS URLs only). */
  rejectUnauthorized: boolean;
}

export interface SecurityConfig {
  url: string;
  secretsFile?: string | undefined;
  tls: {
    ca?: string | undefined;
    cert?: string | undefined;
    key?: string | undefined;
    verifyServer: boolean;
  };
}

/** The file system as far as this module needs it, so tests can use real temp files or not. */
export interface SecretFiles {
  read(path: string): Buffer;
  /** Permission bits and whether it is a regular file. */
  mode(path: string): { mode: number; file: boolean };
}

const nodeFiles: SecretFiles = {
  read: (path) => readFileSync(path),
  mode: (path) => {
    const st = statSync(path);
    return { mode: st.mode & 0o777, file: st.isFile() };
  },
};

const secretsSchema = z.strictObject({
  username: z.string().min(1).max(256),
  password: z.string().max(1024),
});

/**
 * Reads the secrets file and TLS files named by the config. Every problem at once in one SetupError:
 * a secrets file or client key that other users can read is refused, never used "just this once".
 */
export function loadSecurity(cfg: SecurityConfig, files: SecretFiles = nodeFiles): UplinkSecurity {
  const problems: string[] = [];
  const tlsUrl = /^(mqtts|wss):/.test(cfg.url);
  const out: UplinkSecurity = { rejectUnauthorized: cfg.tls.verifyServer };
  const { ca, cert, key } = cfg.tls;
  if (!tlsUrl && (ca || cert || key)) {
    problems.push('mqtt.tls files are set but mqtt.url does not use TLS: use mqtts:// or wss://');
  }
  if ((cert === undefined) !== (key === undefined)) {
    problems.push('mqtt.tls.cert and mqtt.tls.key go together: set both or neither');
  }
  const read = (what: string, path: string | undefined, secret: boolean): Buffer | undefined => {
    if (path === undefined) return undefined;
    const problem = secret ? permissionProblem(files, what, path) : undefined;
    if (problem) {
      problems.push(problem);
      return undefined;
    }
    try {
      return files.read(path);
    } catch (err) {
      problems.push(`${what} ${path}: cannot read it (${errorText(err)})`);
      return undefined;
    }
  };
  const caData = read('mqtt.tls.ca', ca, false);
  const certData = read('mqtt.tls.cert', cert, false);
  const keyData = read('mqtt.tls.key', key, true);
  if (caData) out.ca = caData;
  if (certData) out.cert = certData;
  if (keyData) out.key = keyData;
  const secrets = read('mqtt.secretsFile', cfg.secretsFile, true);
  if (secrets) {
    const parsed = parseSecrets(secrets.toString('utf8'));
    if (typeof parsed === 'string') problems.push(`mqtt.secretsFile ${cfg.secretsFile}: ${parsed}`);
    else Object.assign(out, parsed);
  }
  if (problems.length > 0) throw new SetupError(problems);
  return out;
}

function permissionProblem(files: SecretFiles, what: string, path: string): string | undefined {
  let info: { mode: number; file: boolean };
  try {
    info = files.mode(path);
  } catch (err) {
    return `${what} ${path}: cannot read it (${errorText(err)})`;
  }
  if (!info.file) return `${what} ${path}: not a regular file`;
  if ((info.mode & 0o007) !== 0) {
    const mode = info.mode.toString(8).padStart(4, '0');
    return `${what} ${path} is accessible to every user on this machine (mode ${mode}); refusing to use it: run chmod 600 ${path}`;
  }
  return undefined;
}

function parseSecrets(text: string): { username: string; password: string } | string {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    return `not valid YAML (${errorText(err)})`;
  }
  const result = secretsSchema.safeParse(doc);
  if (result.success) return result.data;
  // Never echo the values: only which key is wrong.
  return result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

function errorText(err: unknown): string {
  if (err instanceof Error) return 'code' in err && typeof err.code === 'string' ? err.code : err.message;
  return String(err);
}
