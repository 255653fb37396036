import { readFileSync } from 'node:fs';
import { errorMessage } from '../core/errors.js';
import { certFingerprint } from '../web/tls-cert.js';
import { loadCliConfig } from './context.js';
import { CliError, type CliIo, EXIT } from './io.js';

/**
 * `pima-kiosk tech-cert`: the SHA-256 fingerprint of the /tech HTTPS certificate (web.https.cert), for
 * the technician to compare with what the browser shows before typing the PIN.
 */
export function techCert(io: CliIo, opts: { config?: string }): number {
  const { config } = loadCliConfig(io, opts.config);
  const https = config.web.https;
  if (!https) {
    throw new CliError(
      'web.https is not set: /tech is served over plain HTTP only (docs/security.md)',
      EXIT.config,
    );
  }
  let pem: Buffer;
  try {
    pem = readFileSync(https.cert);
  } catch (err) {
    throw new CliError(`web.https.cert ${https.cert}: cannot read it (${errorMessage(err)})`, EXIT.config);
  }
  let fingerprint: string;
  try {
    fingerprint = certFingerprint(pem, https.cert);
  } catch (err) {
    throw new CliError(errorMessage(err), EXIT.config);
  }
  io.stdout(`SHA-256 ${fingerprint}\n`);
  io.stdout(
    `https://<this point's address>:${https.port}/tech — the browser must show this same fingerprint\n`,
  );
  return EXIT.ok;
}
