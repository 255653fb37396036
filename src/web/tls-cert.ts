import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { KioskConfig } from '../config/schema.js';
import { nodeSecretFiles, readSecretFile, type SecretFiles } from '../config/secret-file.js';

export interface TechTls {
  cert: Buffer;
  key: Buffer;
  /** SHA-256 of the certificate, as browsers show it (AA:BB:...). */
  fingerprint: string;
}

/**
 * The HTTPS certificate and key of the page (web.https): the key is a secret file (owner, mode), the
 * certificate must parse. Throws one message naming what to fix.
 */
export function loadTechTls(
  cfg: { cert: string; key: string },
  files: SecretFiles = nodeSecretFiles,
): TechTls {
  const key = readSecretFile('web.https.key', cfg.key, files);
  if (!key.ok) throw new Error(key.problem);
  let cert: Buffer;
  try {
    cert = readFileSync(cfg.cert);
  } catch (err) {
    throw new Error(
      `web.https.cert ${cfg.cert}: cannot read it (${(err as NodeJS.ErrnoException).code ?? err})`,
    );
  }
  return { cert, key: key.data, fingerprint: certFingerprint(cert, cfg.cert) };
}

export function certFingerprint(pem: Buffer, path: string): string {
  try {
    return new X509Certificate(pem).fingerprint256;
  } catch {
    throw new Error(`web.https.cert ${path} is not a PEM certificate`);
  }
}

/** A PIN that would cross the network in clear text: the page is reachable beyond the device, without HTTPS. */
export function plainPinExposure(web: KioskConfig['web']): string | undefined {
  const loopback = web.host === 'localhost' || web.host === '::1' || web.host.startsWith('127.');
  if (!web.enabled || loopback || web.pinFile === undefined || web.https) return undefined;
  return `web.host ${web.host} serves /tech beyond this device without web.https: the PIN would cross the network in clear text (docs/security.md)`;
}
