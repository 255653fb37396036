import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort, sleep } from './mosquitto.js';

const run = promisify(execFile);

export interface Postgres {
  port: number;
  /** A fresh, empty database on this server; its postgres:// URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

const USER = 'pima';

/** Debian's server binaries: /usr/lib/postgresql/<newest>/bin (initdb and pg_ctl are not on PATH). */
function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const v = versions[0];
  if (v === undefined) throw new Error('PostgreSQL server not found: run apt-get install -y postgresql');
  return join(root, v, 'bin');
}

/** initdb refuses to run as root: as root, the server runs as the `postgres` user the package created. */
async function asServerUser(dir: string): Promise<(cmd: string, args: string[]) => Promise<unknown>> {
  const bin = binDir();
  if (process.getuid?.() !== 0) return (cmd, args) => run(join(bin, cmd), args);
  const { stdout } = await run('id', ['-u', 'postgres']);
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  return (cmd, args) => run('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]);
}

/**
 * A private PostgreSQL server in a temp dir on a free loopback port, like startMosquitto. fsync is
 * off unless `durable`: tests kill hubs, not the machine, and this keeps them fast; a benchmark wants
 * the real cost of a commit.
 */
export async function startPostgres(opts: { durable?: boolean } = {}): Promise<Postgres> {
  const dir = await mkdtemp(join(tmpdir(), 'pima-pg-'));
  await chmod(dir, 0o700);
  const exec = await asServerUser(dir);
  const data = join(dir, 'data');
  await exec('initdb', ['-D', data, '-A', 'trust', '-U', USER, '--locale=C', '-E', 'UTF8', '--no-sync']);
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    const durability = opts.durable ? '' : ' -c fsync=off -c synchronous_commit=off';
    const serverOpts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1${durability}`;
    try {
      await exec('pg_ctl', ['-D', data, '-o', serverOpts, '-l', join(dir, 'log'), '-w', '-t', '30', 'start']);
      break;
    } catch (err) {
      // The free port may have been taken by another test file in between: try another.
      if (attempt >= 4) throw err;
      await sleep(200);
    }
  }
  const admin = `postgres://${USER}@127.0.0.1:${port}/postgres`;
  let stopped: Promise<void> | undefined;
  return {
    port,
    createDatabase: async (name) => {
      const client = new pg.Client({ connectionString: admin });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replaceAll('"', '')}"`);
      } finally {
        await client.end();
      }
      return `postgres://${USER}@127.0.0.1:${port}/${name}`;
    },
    stop: () => {
      stopped ??= exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'])
        .catch(() => undefined)
        .then(() => rm(dir, { recursive: true, force: true }));
      return stopped;
    },
  };
}
