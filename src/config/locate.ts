import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SYSTEM_CONFIG = '/etc/pima-kiosk/config.yaml';

/** The simulated default shipped with the package, found relative to this file (works from dist/). */
export function packagedDefaultConfig(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['../..', '../../..']) {
    const candidate = join(here, up, 'config', 'default.yaml');
    if (existsSync(candidate)) return candidate;
  }
  return join(here, '../../config/default.yaml');
}

/** CONTRACT.md §1: --config, else $PIMA_KIOSK_CONFIG, else /etc/pima-kiosk/config.yaml, else the default. */
export function locateConfig(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  exists: (p: string) => boolean = existsSync,
  systemConfig = SYSTEM_CONFIG,
): string {
  if (flag) return flag;
  const fromEnv = env.PIMA_KIOSK_CONFIG;
  if (fromEnv) return fromEnv;
  if (exists(systemConfig)) return systemConfig;
  return packagedDefaultConfig();
}
