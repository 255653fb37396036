#!/usr/bin/env node
// `npm run release`: the versioned tarball a technician installs on a Raspberry Pi without building.
//
//   npm run release                                   release/pima-kiosk-<version>.tar.gz
//   npm run release -- --arch arm64 [--node 24]       release/pima-kiosk-<version>-linux-arm64-node24.tar.gz
//                   [--nodedir DIR]                   (and a .sha256 beside each)
//
// It holds the compiled dist/, config, systemd, deploy, scripts, docs, hardware, README and the
// production dependencies exactly as package-lock.json resolves them. Their native parts
// (better-sqlite3, @serialport/bindings-cpp, epoll) must match the Pi's CPU and Node:
// - plain: left unbuilt; scripts/install.sh builds them on the Pi (minutes, and g++ there);
// - --arch: built here for that CPU and Node major (scripts/release-natives.mjs: cross-compiled with
//   Debian's g++-<arch> cross compiler against the headers of node-linux-<arch>@<node> from the npm
//   registry, or of --nodedir); install.sh uses them when they load on the Pi's Node and builds only the
//   ones that do not.
// release.json inside says what the tarball is.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildNatives, fetchNodeHeaders, nodeHeaders, releaseName, target, verifyNatives } from './release-natives.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const { values: opts } = parseArgs({
  options: {
    arch: { type: 'string' },
    // The Node major the Pi runs (the recommended LTS by default), or an exact version.
    node: { type: 'string', default: '24' },
    nodedir: { type: 'string' },
  },
});
if (opts.arch) target(opts.arch);
if (opts.nodedir && !opts.arch) throw new Error('release: --nodedir needs --arch');
const outDir = join(root, 'release');
// Built here, for the Pi's CPU and Node (names the tarball).
const nativeModules = Object.keys(pkg.allowScripts ?? {}).filter((m) => pkg.allowScripts[m] === true);
let natives = null;
let nodedir = null;
if (opts.arch) {
  nodedir = opts.nodedir ? resolve(opts.nodedir) : fetchNodeHeaders(opts.arch, opts.node, join(outDir, 'cache'));
  const headers = nodeHeaders(nodedir);
  natives = { platform: 'linux', arch: opts.arch, node: headers.version, abi: headers.abi, built: [], prebuilt: [] };
}
const name = releaseName(pkg, natives);
const stage = join(outDir, name);
const tarball = join(outDir, `${name}.tar.gz`);

/** What goes in, relative to the package root (scripts/install.sh copies the same to /opt/pima-kiosk). */
const ITEMS = [
  'dist/src',
  'config',
  'systemd',
  'deploy',
  'scripts/install.sh',
  'docs',
  'hardware',
  'README.md',
  'package.json',
  'package-lock.json',
];

function run(cmd, args, cwd = root) {
  execFileSync(cmd, args, { cwd, stdio: 'inherit', env: { ...process.env, npm_config_update_notifier: 'false' } });
}

function git(args) {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

const started = Date.now();
console.log(`release: building ${name}`);
run('npm', ['run', 'build', '--silent']);

rmSync(stage, { recursive: true, force: true });
rmSync(tarball, { force: true });
mkdirSync(stage, { recursive: true });
for (const item of ITEMS) {
  const from = join(root, item);
  if (!existsSync(from)) throw new Error(`release: ${item} is missing`);
  cpSync(from, join(stage, item), { recursive: true });
}
// The web tests' screenshots are for reviewers of the repository, not for a Pi.
rmSync(join(stage, 'docs', 'screenshots'), { recursive: true, force: true });

console.log('release: production dependencies from package-lock.json (npm ci --omit=dev --ignore-scripts)');
// --ignore-scripts: nothing is compiled here for this machine's CPU and Node.
run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], stage);
if (natives) {
  Object.assign(natives, buildNatives(stage, nativeModules, { arch: natives.arch, nodedir }));
  for (const f of verifyNatives(stage, natives.arch, nativeModules)) console.log(`release: ${f} (linux-${natives.arch})`);
}

const commit = git(['rev-parse', 'HEAD']);
const dirty = git(['status', '--porcelain']);
const info = {
  name: pkg.name,
  version: pkg.version,
  commit: commit === null ? null : `${commit}${dirty ? '-dirty' : ''}`,
  builtAt: new Date().toISOString(),
  node: pkg.engines?.node ?? null,
  // scripts/install.sh loads each on the Pi and builds (npm rebuild) the ones that do not load there.
  nativeModules,
  // null: none built here. Else the CPU and Node (its module ABI) they were built for.
  natives,
};
writeFileSync(join(stage, 'release.json'), `${JSON.stringify(info, null, 2)}\n`);

// Owner and times normalised so the tarball does not carry this machine's user names.
run('tar', [
  '--owner=0',
  '--group=0',
  '--numeric-owner',
  '--sort=name',
  '-C',
  outDir,
  '-czf',
  tarball,
  name,
]);
const sum = createHash('sha256').update(readFileSync(tarball)).digest('hex');
writeFileSync(`${tarball}.sha256`, `${sum}  ${name}.tar.gz\n`);
rmSync(stage, { recursive: true, force: true });

const mib = (readFileSync(tarball).length / 2 ** 20).toFixed(1);
console.log(`release: ${tarball} (${mib} MiB, sha256 ${sum}) in ${Math.round((Date.now() - started) / 1000)} s`);
console.log(`install on the Pi: tar -xzf ${name}.tar.gz && sudo ./${name}/scripts/install.sh`);
