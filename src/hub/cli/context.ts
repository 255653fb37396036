import { configOrExit } from '../../cli/context.js';
import type { CliIo } from '../../cli/io.js';
import { loadYamlConfig } from '../../config/load.js';
import { findConfig, packagedConfig } from '../../config/locate.js';
import { type HubConfig, hubConfigSchema } from '../config/schema.js';
import { openHubStorage } from '../storage/open.js';
import type { HubStorage } from '../storage/types.js';

export const HUB_CONFIG_SEARCH = {
  envVar: 'PIMA_HUB_CONFIG',
  systemConfig: '/etc/pima-hub/config.yaml',
  packaged: () => packagedConfig('hub.yaml'),
};

/** --config, else $PIMA_HUB_CONFIG, else /etc/pima-hub/config.yaml, else the packaged config/hub.yaml. */
export function loadHubConfig(io: CliIo, flag: string | undefined): { config: HubConfig; file: string } {
  const file = findConfig(HUB_CONFIG_SEARCH, flag, io.env);
  return { config: configOrExit(() => loadYamlConfig(file, hubConfigSchema)), file };
}

/** Opens the configured database for one command and closes it afterwards, whatever happens. */
export async function withStorage<T>(config: HubConfig, fn: (s: HubStorage) => Promise<T>): Promise<T> {
  const storage = openHubStorage(config.database);
  try {
    await storage.start();
    return await fn(storage);
  } finally {
    await storage.stop();
  }
}
