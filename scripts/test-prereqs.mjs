#!/usr/bin/env node
// Before the tests: the suite starts its own Mosquitto and socat, so both must be installed.
// As root it installs what is missing with apt-get; otherwise it stops with the exact command to run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const needed = [
  { bin: 'mosquitto', pkg: 'mosquitto' },
  { bin: 'socat', pkg: 'socat' },
  { bin: 'systemd-analyze', pkg: 'systemd' },
  { bin: 'shellcheck', pkg: 'shellcheck' },
  { bin: 'python3', pkg: 'python3' },
  { bin: 'chromium', pkg: 'chromium' },
  // The hub's storage tests start their own PostgreSQL from Debian's server binaries (not on PATH).
  { bin: 'initdb', pkg: 'postgresql', dirs: postgresBinDirs() },
  { bin: 'xmllint', pkg: 'libxml2-utils' },
];

function postgresBinDirs() {
  try {
    return readdirSync('/usr/lib/postgresql').map((v) => `/usr/lib/postgresql/${v}/bin`);
  } catch {
    return [];
  }
}

function found(bin, extra = []) {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/local/sbin', '/sbin'], extra);
  return dirs.some((d) => d && existsSync(`${d}/${bin}`));
}

const missing = needed.filter((n) => !found(n.bin, n.dirs)).map((n) => n.pkg);
if (missing.length === 0) process.exit(0);

const cmd = `apt-get install -y ${missing.join(' ')}`;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
if (!isRoot || !hasApt) {
  console.error(`The tests need ${missing.join(' and ')}. Install with:\n\n  sudo ${cmd}\n`);
  process.exit(1);
}
console.error(`Installing ${missing.join(', ')} for the tests: ${cmd}`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
try {
  execFileSync('apt-get', ['install', '-y', ...missing], { stdio: 'inherit', env });
} catch {
  execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', ...missing], { stdio: 'inherit', env });
}
// The Debian package starts a system broker on port 1883; tests start their own, so stop that one.
spawnSync(
  'sh',
  ['-c', 'systemctl disable --now mosquitto 2>/dev/null || service mosquitto stop 2>/dev/null'],
  {
    stdio: 'ignore',
  },
);
