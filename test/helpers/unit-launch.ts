import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** How systemd/pima-kiosk.service starts the service: ExecStart's Node flags and its Environment= lines. */
export interface UnitLaunch {
  /** Between the node binary and the script in ExecStart (flags NODE_OPTIONS may not carry). */
  nodeArgs: string[];
  /** NODE_OPTIONS, MALLOC_ARENA_MAX, … (PIMA_KIOSK_CONFIG too; --config wins over it). */
  env: Record<string, string>;
}

/** Read from the unit file itself, so benches and tests run the service the way a Pi does. */
export function unitLaunch(root = process.cwd()): UnitLaunch {
  const unit = readFileSync(join(root, 'systemd/pima-kiosk.service'), 'utf8');
  const exec = /^ExecStart=\S+\s+(.*?)\s*\S+\/dist\/src\/main\.js run$/m.exec(unit);
  const env: Record<string, string> = {};
  // Environment=NAME=value, Environment=NAME="a b" or Environment="NAME=a b" (one variable a line here).
  for (const m of unit.matchAll(/^Environment=("?)([A-Z_]+)=("?)(.*?)\3\1$/gm)) env[m[2] ?? ''] = m[4] ?? '';
  return { nodeArgs: (exec?.[1] ?? '').split(/\s+/).filter(Boolean), env };
}
