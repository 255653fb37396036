import { execFileSync } from 'node:child_process';

/** CLI tests run the built binary as a separate process, so build it once before any test. */
export default function setup(): void {
  // `npm test` (scripts/test-run.mjs) has just run `npm run build`, which does all of this and more.
  if (process.env.PIMA_TEST_BUILT === '1') return;
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], {
    stdio: 'inherit',
  });
  // The status page's browser files go next to the compiled server (as `npm run build` does).
  execFileSync(process.execPath, ['scripts/copy-web-assets.mjs'], { stdio: 'inherit' });
}
