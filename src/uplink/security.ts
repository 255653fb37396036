import { parse } from 'yaml';
import { z } from 'zod';
import { SetupError } from '../config/errors.js';
import { codeOf, nodeSecretFiles, readSecretFile, type SecretFiles } from '../config/secret-file.js';

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
  /** A password over plain mqtt:// or ws:// is refused unless this says it is meant (a closed network). */
  allowPlaintextPassword?: boolean | undefined;
  tls: {
    ca?: string | undefined;
    cert?: string | undefined;
    key?: string | undefined;
    verifyServer: boolean;
  };
}

const secretsSchema = z.strictObject({
  username: z.string().min(1).max(256),
  password: z.string().max(1024),
});

/**
 * Reads the secrets file and TLS files named by the config. Every problem at once in one SetupError:
 * a secrets file or client key that other users can read is refused, never used "just this once".
 */
export function loadSecurity(cfg: SecurityConfig, files: SecretFiles = nodeSecretFiles): UplinkSecurity {
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
    if (secret) {
      const got = readSecretFile(what, path, files);
      if (got.ok) return got.data;
      problems.push(got.problem);
      return undefined;
    }
    try {
      return files.read(path);
    } catch (err) {
      problems.push(`${what} ${path}: cannot read it (${codeOf(err)})`);
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
    if (
      !tlsUrl &&
      typeof parsed !== 'string' &&
      parsed.password !== '' &&
      cfg.allowPlaintextPassword !== true
    ) {
      problems.push(
        `mqtt.secretsFile holds a password but mqtt.url ${cfg.url} is not encrypted: anyone on the way can read it. Use mqtts:// or wss://, or on a closed network set mqtt.allowPlaintextPassword: true`,
      );
    }
  }
  if (problems.length > 0) throw new SetupError(problems);
  return out;
}

function parseSecrets(text: string): { username: string; password: string } | string {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    return `not valid YAML (${codeOf(err)})`;
  }
  const result = secretsSchema.safeParse(doc);
  if (result.success) return result.data;
  // Never echo the values: only which key is wrong.
  return result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}
