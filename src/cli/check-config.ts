import { loadCliConfig } from './context.js';
import type { CliIo } from './io.js';

/** `pima-kiosk check-config`: validate only; problems go to stderr, one per line, exit 78. */
export function checkConfig(io: CliIo, opts: { config?: string }): number {
  const { config, file } = loadCliConfig(io, opts.config);
  const uplink = config.mqtt ? config.mqtt.url : 'none';
  io.stdout(`${file}: ok (point ${config.point.id}, capacity ${config.point.capacity}, uplink ${uplink})\n`);
  return 0;
}
