import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SYSTEM_CONFIG = '/etc/pima-kiosk/config.yaml';

/** A config shipped with the package (config/NAME), found relative to this file (works from dist/). */
export function packagedConfig(name: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['../..', '../../..']) {
    const candidate = join(here, up, 'config', name);
    if (existsSync(candidate)) return candidate;
  }
  return join(here, '../../config', name);
}

/** The simulated default shipped with the package. */
export function packagedDefaultConfig(): string {
  return packagedConfig('default.yaml');
}

/** Where one program looks for its config: the env variable, the system file, the packaged default. */
export interface ConfigSearch {
  envVar: string;
  systemConfig: string;
  packaged: () => string;
}

/** --config, else $envVar, else the system file when it exists, else the packaged default. */
export function findConfig(
  search: ConfigSearch,
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  exists: (p: string) => boolean = existsSync,
): string {
  if (flag) return flag;
  const fromEnv = env[search.envVar];
  if (fromEnv) return fromEnv;
  if (exists(search.systemConfig)) return search.systemConfig;
  return search.packaged();
}

/** CONTRACT.md §1: --config, else $PIMA_KIOSK_CONFIG, else /etc/pima-kiosk/config.yaml, else the default. */
export function locateConfig(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  exists: (p: string) => boolean = existsSync,
  systemConfig = SYSTEM_CONFIG,
): string {
  return findConfig(
    { envVar: 'PIMA_KIOSK_CONFIG', systemConfig, packaged: packagedDefaultConfig },
    flag,
    env,
    exists,
  );
}
