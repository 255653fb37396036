#!/usr/bin/env node
// `npm test`: the Debian packages the tests need (scripts/test-prereqs.mjs), lint, type check, build, then
// every vitest file. On a machine that already has the packages, exactly that, in that order. On a fresh
// one apt-get takes minutes, so it runs in the background while lint, type check, build and the test
// files that start no broker, database, browser or PTY (unit, architecture, fuzz) run; the other files
// start once apt-get has finished. Extra arguments go to vitest.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The test directories that need none of test-prereqs.mjs's packages. */
const WITHOUT_PACKAGES = ['test/unit', 'test/architecture', 'test/fuzz'];
const NEED_INSTALL = 10;

const vitestArgs = process.argv.slice(2);
const started = Date.now();

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function checks() {
  run('npm', ['run', 'lint']);
  run('npm', ['run', 'typecheck']);
  run('npm', ['run', 'build']);
  // test/global-setup.ts need not build again
  process.env.PIMA_TEST_BUILT = '1';
}

const vitest = (args) => run(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...args]);

const check = spawnSync(process.execPath, ['scripts/test-prereqs.mjs', '--check'], { stdio: 'inherit' });
if (check.status === 0) {
  checks();
  vitest(vitestArgs);
  process.exit(0);
}
if (check.status !== NEED_INSTALL) process.exit(check.status ?? 1);

const log = join(mkdtempSync(join(tmpdir(), 'pima-test-prereqs-')), 'apt.log');
console.error(
  `npm test: installing the tests' Debian packages in the background (log: ${log}); meanwhile lint, ` +
    `type check, build and ${WITHOUT_PACKAGES.join(', ')}`,
);
const out = openSync(log, 'w');
// Not stopped when a test fails below: apt-get and dpkg are left to finish rather than cut mid-install.
const apt = new Promise((resolve) => {
  const child = spawn(process.execPath, ['scripts/test-prereqs.mjs'], { stdio: ['ignore', out, out] });
  child.on('exit', (code, signal) => resolve(code ?? signal));
});
closeSync(out);

checks();
vitest([...WITHOUT_PACKAGES, ...vitestArgs]);

const status = await apt;
if (status !== 0) {
  process.stderr.write(readFileSync(log, 'utf8'));
  console.error(`npm test: installing the tests' packages failed (${status}); the other tests did not run.`);
  process.exit(1);
}
console.error(
  `npm test: the tests' packages are installed (${Math.round((Date.now() - started) / 1000)} s in)`,
);
vitest([...WITHOUT_PACKAGES.flatMap((d) => ['--exclude', `${d}/**`]), ...vitestArgs]);
