import type { CliIo } from '../../cli/io.js';
import { redactUrl } from '../../uplink/log-fields.js';
import { loadHubConfig } from './context.js';

/** `pima-hub check-config`: validate only (the same error format and exit codes as pima-kiosk). */
export function checkHubConfig(io: CliIo, opts: { config?: string }): number {
  const { config, file } = loadHubConfig(io, opts.config);
  const db = config.database.url.startsWith('sqlite:') ? config.database.url : 'postgres';
  io.stdout(
    `${file}: ok (broker ${redactUrl(config.mqtt.url)}, share group ${config.mqtt.shareGroup}, database ${db})\n`,
  );
  return 0;
}
