#!/usr/bin/env node
// Before the tests (and first in .ci/run): the suite starts its own Mosquitto, socat PTYs, PostgreSQL,
// Chromium, xmllint, pdftotext and openssl, so their Debian packages must be installed; this is the one list of them.
// As root it installs what is missing with apt-get (no recommends: about a third of the packages);
// otherwise it stops with the exact command to run (also with `--check`, which otherwise exits 0 when
// nothing is missing and 10 when there is something to install). A held apt/dpkg lock (unattended-upgrades on a fresh
// machine, another apt-get) is waited for, said plainly, and retried.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const needed = [
  { found: () => onPath('mosquitto'), pkg: ['mosquitto'] },
  { found: () => onPath('socat'), pkg: ['socat'] },
  // systemd-analyze (unit verify/security), shellcheck and python3 (a notify-socket listener)
  { found: () => onPath('systemd-analyze'), pkg: ['systemd'] },
  { found: () => onPath('shellcheck'), pkg: ['shellcheck'] },
  { found: () => onPath('python3'), pkg: ['python3'] },
  // Debian's Chromium, and a font with Cyrillic, for the status page's browser tests
  { found: () => existsSync('/usr/bin/chromium'), pkg: ['chromium', 'fonts-dejavu-core'] },
  // the hub's storage tests start their own PostgreSQL from Debian's server binaries (not on PATH)
  { found: postgresInstalled, pkg: ['postgresql'] },
  // xmllint validates the hub's Atom feed against RFC 4287's RELAX NG schema
  { found: () => onPath('xmllint'), pkg: ['libxml2-utils'] },
  // pdftotext reads back the hub's refuelling run sheet that Chromium printed to PDF
  { found: () => onPath('pdftotext'), pkg: ['poppler-utils'] },
  // openssl makes the /tech HTTPS certificate (install.sh and its test, the HTTPS sign-in test);
  // prlimit (util-linux) lets the connection-flood test raise its descriptor limit
  { found: () => onPath('openssl'), pkg: ['openssl'] },
  { found: () => onPath('prlimit'), pkg: ['util-linux'] },
];

/** How long to wait for another apt/dpkg to let go of its lock, in all. */
const LOCK_WAIT_S = 600;
const APT_LOCK_EXIT = 100;

function onPath(bin) {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/local/sbin', '/sbin']);
  return dirs.some((d) => d && existsSync(`${d}/${bin}`));
}

function postgresInstalled() {
  const base = '/usr/lib/postgresql';
  return existsSync(base) && readdirSync(base).some((v) => existsSync(`${base}/${v}/bin/initdb`));
}

const missing = needed.filter((n) => !n.found()).flatMap((n) => n.pkg);
if (missing.length === 0) process.exit(0);

const args = ['install', '-y', '--no-install-recommends', ...missing];
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
if (!isRoot || !hasApt) {
  console.error(`The tests need ${missing.join(', ')}. Install with:\n\n  sudo apt-get ${args.join(' ')}\n`);
  process.exit(1);
}
// `--check` (scripts/test-run.mjs): only say that apt-get has something to install here (exit 10), so
// that the run can do what needs none of the packages meanwhile.
if (process.argv.includes('--check')) process.exit(10);

const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };

/** apt-get with its output shown; its stderr is kept too, to tell a held lock from other failures. */
function aptGet(aptArgs) {
  // DPkg::Lock::Timeout: apt itself waits for the dpkg lock this long before giving up (apt ≥ 1.9.11).
  const r = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=60', ...aptArgs], {
    env,
    stdio: ['ignore', 'inherit', 'pipe'],
    encoding: 'utf8',
  });
  if (r.stderr) process.stderr.write(r.stderr);
  const locked =
    r.status === APT_LOCK_EXIT && /Could not get lock|Unable to acquire the dpkg|lock/i.test(r.stderr);
  return { ok: r.status === 0, locked, status: r.status ?? r.signal };
}

/** Retries while another apt or dpkg holds the lock, saying who; any other failure ends at once. */
function aptGetWaiting(aptArgs) {
  const deadline = Date.now() + LOCK_WAIT_S * 1000;
  for (let attempt = 1; ; attempt++) {
    const r = aptGet(aptArgs);
    if (r.ok || !r.locked) return r;
    if (Date.now() > deadline) {
      console.error(
        `\nThe apt/dpkg lock is still held after ${LOCK_WAIT_S} s ${lockHolders()}.\n` +
          `Wait for it to finish (or stop it), then run the tests again: apt-get ${aptArgs.join(' ')}`,
      );
      process.exit(1);
    }
    console.error(
      `\nAnother apt or dpkg is running ${lockHolders()}; waiting for it before installing the tests' packages (attempt ${attempt + 1})...`,
    );
    spawnSync('sleep', ['10']);
  }
}

/** "(pid 123: apt-get install …)" for the processes that hold apt's or dpkg's lock files, if fuser says. */
function lockHolders() {
  const locks = ['/var/lib/dpkg/lock-frontend', '/var/lib/dpkg/lock', '/var/lib/apt/lists/lock'];
  const fuser = spawnSync('fuser', locks, { encoding: 'utf8' });
  const pids = [...new Set((fuser.stdout ?? '').trim().split(/\s+/).filter(Boolean))];
  const who = pids.map((pid) => {
    const cmd = spawnSync('ps', ['-o', 'args=', '-p', pid], { encoding: 'utf8' }).stdout?.trim();
    return `pid ${pid}${cmd ? `: ${cmd}` : ''}`;
  });
  return who.length > 0 ? `(${who.join('; ')})` : '(unattended-upgrades or another apt-get)';
}

console.error(`Installing ${missing.join(', ')} for the tests: apt-get ${args.join(' ')}`);
let r = aptGetWaiting(args);
if (!r.ok) {
  // A fresh machine has no package lists yet, or stale ones.
  r = aptGetWaiting(['update']);
  if (r.ok) r = aptGetWaiting(args);
}
if (!r.ok) {
  console.error(`\napt-get failed (exit ${r.status}); the tests need ${missing.join(', ')}.`);
  process.exit(1);
}
// The Debian packages start a system broker on port 1883 and a PostgreSQL cluster; the tests start
// their own on free ports, so stop those.
spawnSync(
  'sh',
  [
    '-c',
    'for s in mosquitto postgresql; do systemctl disable --now "$s" 2>/dev/null || service "$s" stop 2>/dev/null; done',
  ],
  { stdio: 'ignore' },
);
