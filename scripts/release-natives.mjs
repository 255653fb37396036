#!/usr/bin/env node
// The native modules of a release built for one Raspberry Pi CPU and Node (`npm run release -- --arch
// arm64`), so the Pi installs without compiling: better-sqlite3 and epoll cross-compiled here with
// Debian's g++-aarch64-linux-gnu against the target Node's headers (from the npm registry's official
// node-linux-<arch> package, no download from anywhere else); @serialport/bindings-cpp from the N-API
// prebuilds its package ships. scripts/install.sh loads them on the Pi and builds only the ones that do
// not load there (a Pi with another Node major).
//
//   node scripts/release-natives.mjs verify <release dir>   checks every .node file is for release.json's arch
//   node scripts/release-natives.mjs newest <version>...     the highest version (scripts/test-pi.sh)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Node's arch names → the GNU triple of Debian's cross compiler and the ELF e_machine of its output. */
export const TARGETS = {
  arm64: { triple: 'aarch64-linux-gnu', elfMachine: 183, debianPackage: 'g++-aarch64-linux-gnu' },
  x64: { triple: 'x86_64-linux-gnu', elfMachine: 62, debianPackage: 'g++-x86-64-linux-gnu' },
};

export function target(arch) {
  const t = TARGETS[arch];
  if (!t) throw new Error(`release: --arch ${arch} is not one of ${Object.keys(TARGETS).join(', ')}`);
  return t;
}

/** The ELF e_machine of a shared object, or null when the bytes are not a 64-bit little-endian ELF. */
export function elfMachine(bytes) {
  if (bytes.length < 20 || bytes.readUInt32BE(0) !== 0x7f454c46 || bytes[4] !== 2 || bytes[5] !== 1) return null;
  return bytes.readUInt16LE(18);
}

/** Node's version and its native-module ABI (NODE_MODULE_VERSION) from the headers in <nodedir>/include/node. */
export function nodeHeaders(nodedir) {
  const file = join(nodedir, 'include', 'node', 'node_version.h');
  if (!existsSync(file)) throw new Error(`release: no Node headers in ${nodedir} (${file} is missing)`);
  const h = readFileSync(file, 'utf8');
  const num = (name) => {
    const m = new RegExp(`#define ${name} (\\d+)`).exec(h);
    if (!m) throw new Error(`release: ${file} does not define ${name}`);
    return Number(m[1]);
  };
  return {
    version: `v${num('NODE_MAJOR_VERSION')}.${num('NODE_MINOR_VERSION')}.${num('NODE_PATCH_VERSION')}`,
    abi: num('NODE_MODULE_VERSION'),
  };
}

/** The release's name: the plain one has unbuilt natives; a built one says for which CPU and Node major. */
export function releaseName(pkg, natives) {
  const base = `${pkg.name}-${pkg.version}`;
  return natives ? `${base}-linux-${natives.arch}-node${natives.node.slice(1).split('.')[0]}` : base;
}

/** Every .node file under dir (build/Release of a module, or a package's prebuilds). */
export function nodeFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...nodeFiles(p));
    else if (entry.name.endsWith('.node')) out.push(p);
  }
  return out;
}

/**
 * The .node files of a release that the Pi would load, each checked to be for `arch`; throws naming the
 * first that is not. Prebuilds for other platforms (bindings-cpp ships win32, darwin, …) are not loaded
 * there, so only the build/Release files and the linux-<arch> prebuilds count.
 */
export function verifyNatives(releaseDir, arch, modules) {
  const want = target(arch).elfMachine;
  const checked = [];
  for (const m of modules) {
    const dir = join(releaseDir, 'node_modules', m);
    const release = join(dir, 'build', 'Release');
    const prebuilt = join(dir, 'prebuilds', `linux-${arch}`);
    const files = [existsSync(release) ? nodeFiles(release) : [], existsSync(prebuilt) ? nodeFiles(prebuilt) : []].flat();
    if (files.length === 0) throw new Error(`release: ${m} has no native binary for linux-${arch}`);
    for (const f of files) {
      const machine = elfMachine(readFileSync(f));
      if (machine !== want) {
        throw new Error(
          `release: ${relative(releaseDir, f)} is for ELF machine ${machine ?? '(not an ELF)'}, not ${arch} (${want})`,
        );
      }
      checked.push(relative(releaseDir, f));
    }
  }
  return checked;
}

function gyp() {
  // npm carries node-gyp; npm_execpath is npm-cli.js when this runs under `npm run`.
  const candidates = [
    process.env.npm_execpath && join(dirname(dirname(process.env.npm_execpath)), 'node_modules/node-gyp/bin/node-gyp.js'),
    join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
  ].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`release: node-gyp not found (looked in ${candidates.join(', ')})`);
  return found;
}

/** The highest of plain x.y.z versions (`npm view pkg@range version` lists them in publishing order). */
export function newestVersion(versions) {
  const key = (v) => v.split('.').map(Number);
  const newer = (a, b) => {
    const [x, y] = [key(a), key(b)];
    for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] ?? 0) > (y[i] ?? 0);
    return false;
  };
  return versions.reduce((best, v) => (best === undefined || newer(v, best) ? v : best), undefined);
}

/**
 * Fetches the official Node build for `arch` from the npm registry (node-linux-<arch>@<spec>) into cacheDir
 * once and returns the directory with its include/node, for node-gyp's --nodedir.
 */
export function fetchNodeHeaders(arch, spec, cacheDir) {
  const pkgName = `node-linux-${arch}`;
  const versions = execFileSync('npm', ['view', `${pkgName}@${spec}`, 'version', '--json'], { encoding: 'utf8' });
  const latest = newestVersion([JSON.parse(versions)].flat());
  if (!latest) throw new Error(`release: no ${pkgName} matches ${spec}`);
  const dir = join(cacheDir, `${pkgName}-${latest}`);
  if (existsSync(join(dir, 'include', 'node', 'node_version.h'))) return dir;
  mkdirSync(cacheDir, { recursive: true });
  const tgz = execFileSync('npm', ['pack', '--silent', `${pkgName}@${latest}`], { cwd: cacheDir, encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // Only the headers: the binary is for the Pi.
  execFileSync('tar', ['-C', dir, '--strip-components=1', '-xzf', join(cacheDir, tgz), 'package/include']);
  rmSync(join(cacheDir, tgz), { force: true });
  return dir;
}

/**
 * Compiles the modules in stage/node_modules that have no linux-<arch> prebuild, for `arch` against the
 * headers in nodedir, and leaves only the .node files of their build (no objects, no SQLite source copy).
 */
export function buildNatives(stage, modules, { arch, nodedir }) {
  const t = target(arch);
  const cross = `${t.triple}-`;
  const native = process.arch === arch && process.platform === 'linux';
  const cc = (tool) => (native ? tool : `${cross}${tool}`);
  const compiler = cc('g++');
  try {
    execFileSync(compiler, ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error(`release: ${compiler} is missing: apt-get install --no-install-recommends ${t.debianPackage}`);
  }
  const env = {
    ...process.env,
    CC: cc('gcc'),
    CXX: cc('g++'),
    LINK: cc('g++'),
    AR: cc('ar'),
    JOBS: 'max',
    // Under `npm run`, npm passes its config on as npm_config_* and node-gyp prefers that to --nodedir:
    // a global `nodedir=/usr` would build against this machine's own Node headers (another ABI).
    npm_config_nodedir: nodedir,
    npm_config_arch: arch,
    npm_config_update_notifier: 'false',
  };
  const built = [];
  const prebuilt = [];
  for (const m of modules) {
    const dir = join(stage, 'node_modules', m);
    if (!existsSync(join(dir, 'package.json'))) throw new Error(`release: ${m} is not in the production dependencies`);
    if (existsSync(join(dir, 'prebuilds', `linux-${arch}`))) {
      prebuilt.push(m);
      continue;
    }
    const started = Date.now();
    console.log(`release: compiling ${m} for linux-${arch} (${compiler}, Node headers ${nodedir})`);
    try {
      // The compilers' output (pages of SQLite and V8 warnings) only when the build fails.
      execFileSync(process.execPath, [gyp(), 'rebuild', '--release', `--arch=${arch}`, `--nodedir=${nodedir}`], {
        cwd: dir,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 256 * 2 ** 20,
      });
    } catch (err) {
      const out = `${err.stdout ?? ''}${err.stderr ?? ''}`.trimEnd().split('\n').slice(-40).join('\n');
      throw new Error(`release: compiling ${m} for linux-${arch} failed:\n${out}`);
    }
    const out = join(dir, 'build', 'Release');
    // Keep the loadable results; the rest of build/ (objects, the SQLite amalgamation copy) is 100+ MB.
    for (const entry of readdirSync(join(dir, 'build'))) {
      if (entry !== 'Release') rmSync(join(dir, 'build', entry), { recursive: true, force: true });
    }
    for (const entry of readdirSync(out)) {
      const p = join(out, entry);
      if (!entry.endsWith('.node') || statSync(p).isDirectory()) rmSync(p, { recursive: true, force: true });
    }
    for (const f of nodeFiles(out)) execFileSync(cc('strip'), ['--strip-unneeded', f]);
    built.push(m);
    console.log(`release: ${m} compiled in ${Math.round((Date.now() - started) / 1000)} s`);
  }
  return { built, prebuilt };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [cmd, dir, ...rest] = process.argv.slice(2);
  if (cmd === 'newest' && dir) {
    console.log(newestVersion([dir, ...rest]));
    process.exit(0);
  }
  if (cmd !== 'verify' || !dir) {
    console.error('usage: node scripts/release-natives.mjs verify <release dir> | newest <version>...');
    process.exit(64);
  }
  try {
    const info = JSON.parse(readFileSync(join(dir, 'release.json'), 'utf8'));
    if (!info.natives) throw new Error(`release: ${dir} carries no built native modules (release.json natives is null)`);
    for (const f of verifyNatives(dir, info.natives.arch, info.nativeModules)) {
      console.log(`${f}: linux-${info.natives.arch}`);
    }
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
