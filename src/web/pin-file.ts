import { nodeSecretFiles, readSecretFile, type SecretFiles } from '../config/secret-file.js';

export type PinLoad = { ok: true; pin: string } | { ok: false; error: string };

/**
 * The technician PIN as its file says now: looked at again on every use, so fixing the file (its mode,
 * its owner, the PIN itself) takes effect without a restart, and a file that became readable to others
 * locks /tech at once. A few digits and a stat: cheap next to the request that asks.
 */
export class PinFile {
  constructor(
    private readonly path: string,
    private readonly minLength: number,
    private readonly files: SecretFiles = nodeSecretFiles,
  ) {}

  current(): PinLoad {
    return loadPinFile(this.path, this.minLength, this.files);
  }
}

/** Reads the technician PIN: minLength..12 digits in a file only the service user (or root) can open. */
export function loadPinFile(path: string, minLength: number, files: SecretFiles = nodeSecretFiles): PinLoad {
  const got = readSecretFile('web.pinFile', path, files);
  if (!got.ok) return { ok: false, error: got.problem };
  const pin = got.data.toString('utf8').trim();
  if (!new RegExp(`^\\d{${minLength},12}$`).test(pin)) {
    return { ok: false, error: `web.pinFile ${path} must hold a PIN of ${minLength} to 12 digits` };
  }
  return { ok: true, pin };
}
