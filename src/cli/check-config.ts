import { SetupError } from '../config/errors.js';
import { serviceSecretFiles } from '../config/secret-file.js';
import { errorMessage } from '../core/errors.js';
import { loadSecurity } from '../uplink/security.js';
import { loadPinFile } from '../web/pin-file.js';
import { loadTechTls, plainPinExposure } from '../web/tls-cert.js';
import { loadCliConfig } from './context.js';
import { CliError, type CliIo, EXIT } from './io.js';

/**
 * `pima-kiosk check-config`: validate only; problems go to stderr, one per line, exit 78. Beyond the
 * schema it reads the files the service would refuse at start (the broker secrets, TLS files) or that
 * would lock /tech (the PIN file), judged for the service's user.
 */
export function checkConfig(io: CliIo, opts: { config?: string }): number {
  const { config, file } = loadCliConfig(io, opts.config);
  const files = serviceSecretFiles();
  const problems: string[] = [];
  if (config.mqtt) {
    try {
      loadSecurity(config.mqtt, files);
    } catch (err) {
      if (!(err instanceof SetupError)) throw err;
      problems.push(...err.problems);
    }
  }
  if (config.web.pinFile !== undefined) {
    const pin = loadPinFile(config.web.pinFile, config.web.pinMinLength, files);
    if (!pin.ok) problems.push(`${pin.error} (/tech stays locked until it is fixed)`);
  }
  if (config.web.https) {
    try {
      loadTechTls(config.web.https, files);
    } catch (err) {
      problems.push(`${errorMessage(err)} (visitors cannot sign in to /tech until it is fixed)`);
    }
  }
  if (problems.length > 0) throw new CliError(problems.map((p) => `${file}: ${p}`).join('\n'), EXIT.config);
  const exposed = plainPinExposure(config.web);
  if (exposed) io.stderr(`${file}: warning: ${exposed}\n`);
  const uplink = config.mqtt ? config.mqtt.url : 'none';
  io.stdout(`${file}: ok (point ${config.point.id}, capacity ${config.point.capacity}, uplink ${uplink})\n`);
  return 0;
}
