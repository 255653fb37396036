import { execFileSync } from 'node:child_process';

/** CLI tests run the built binary as a separate process, so build it once before any test. */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], {
    stdio: 'inherit',
  });
}
