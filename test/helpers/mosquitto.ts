import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { connectAsync, type IPublishPacket } from 'mqtt';

export interface Mosquitto {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;

/** The mosquitto binary: on PATH or in the sbin directories a non-root PATH often lacks. */
function findMosquitto(): string {
  const dirs = [
    ...(process.env.PATH ?? '').split(delimiter),
    '/usr/sbin',
    '/usr/local/sbin',
    '/opt/homebrew/sbin',
  ];
  for (const dir of dirs.filter((d) => d.length > 0)) {
    const candidate = join(dir, 'mosquitto');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error('mosquitto not found: run apt-get install -y mosquitto');
}

/** A port nothing listens on right now (bind 0, read it, close). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP port from the OS');
  return address.port;
}

/**
 * Starts a private broker; pass `port` to restart one on the port a client already uses, `config` for
 * extra mosquitto.conf lines (e.g. `max_inflight_messages 4`, or a TLS listener of its own).
 */
export async function startMosquitto(opts: { port?: number; config?: string } = {}): Promise<Mosquitto> {
  // A port found free can be taken by another test file before mosquitto binds it: pick another one.
  // A port the caller fixed (a restart) cannot move, but a moment's wait can free it.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts.port ?? (await freePort()), opts.config);
    } catch (err) {
      if (!(err instanceof PortInUseError) || attempt >= 5) throw err;
      if (opts.port !== undefined) await sleep(500);
    }
  }
}

class PortInUseError extends Error {}

async function startOnce(port: number, config: string | undefined): Promise<Mosquitto> {
  const binary = findMosquitto();
  const dir = await mkdtemp(join(tmpdir(), 'pima-mosquitto-'));
  const conf = join(dir, 'mosquitto.conf');
  const extra = config ? `${config}\n` : '';
  // Extra lines go after the listener so TLS options (cafile, certfile, keyfile) apply to it.
  await writeFile(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n${extra}`);
  const child = spawn(binary, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  try {
    await waitForListener(child, port, output);
  } catch (err) {
    await kill(child);
    await rm(dir, { recursive: true, force: true });
    throw /Address already in use/.test(output.join('')) ? new PortInUseError(String(err)) : err;
  }
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= kill(child).then(() => rm(dir, { recursive: true, force: true }));
    return stopped;
  };
  return { url: `mqtt://127.0.0.1:${port}`, port, stop };
}

async function waitForListener(child: ChildProcess, port: number, output: string[]): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`mosquitto exited (${child.exitCode ?? child.signalCode}): ${output.join('')}`);
    }
    // "running" comes after every listener is bound: a connect alone could reach another process's
    // listener on the same port while this broker is still failing with EADDRINUSE.
    if (/mosquitto version \S+ running/.test(output.join('')) && (await canConnect(port))) return;
    await sleep(25);
  }
  throw new Error(`mosquitto did not listen on ${port} within ${START_TIMEOUT_MS} ms: ${output.join('')}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** SIGTERM, then SIGKILL after 2 s. */
async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
  await exited;
  clearTimeout(timer);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface CollectedMessage {
  topic: string;
  payload: string;
  /** As published: the subscription uses retain-as-published, so live messages keep the flag too. */
  retain: boolean;
  properties?: IPublishPacket['properties'];
}

export interface Collector {
  readonly messages: CollectedMessage[];
  /** The first message (already received or still to come) matching `pred`. */
  waitFor(pred: (m: CollectedMessage) => boolean, timeoutMs?: number): Promise<CollectedMessage>;
  close(): Promise<void>;
}

/** A subscriber (QoS 1) recording every message on `topicFilter`. */
export async function collect(url: string, topicFilter: string): Promise<Collector> {
  const client = await connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0, clean: true });
  const messages: CollectedMessage[] = [];
  const waiters = new Set<(m: CollectedMessage) => void>();
  client.on('message', (topic, payload, packet) => {
    const m: CollectedMessage = { topic, payload: payload.toString(), retain: packet.retain };
    if (packet.properties) m.properties = packet.properties;
    messages.push(m);
    for (const w of waiters) w(m);
  });
  await client.subscribeAsync(topicFilter, { qos: 1, rap: true });
  const waitFor = (pred: (m: CollectedMessage) => boolean, timeoutMs = 5000): Promise<CollectedMessage> => {
    const seen = messages.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = (m: CollectedMessage): void => {
        if (!pred(m)) return;
        cleanup();
        resolve(m);
      };
      const timer = setTimeout(() => {
        cleanup();
        const topics = messages.map((m) => `${m.topic} ${m.payload.slice(0, 80)}`).join('\n  ');
        reject(new Error(`no matching message on ${topicFilter} in ${timeoutMs} ms; got:\n  ${topics}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        waiters.delete(waiter);
      };
      waiters.add(waiter);
    });
  };
  return { messages, waitFor, close: () => client.endAsync(true) };
}

export interface TcpProxy {
  url: string;
  port: number;
  /** Hold every byte from the broker to the clients (CONNACK, PUBACK, ...) until released. */
  holdDownstream(): void;
  releaseDownstream(): void;
  /** Destroy both sides of every connection without an MQTT DISCONNECT, discarding held bytes. */
  dropConnections(): void;
  /** While blocked, new client connections are closed at once. */
  setBlocked(blocked: boolean): void;
  /** A silent cut: bytes in both directions are dropped while the sockets stay open (no FIN, no will). */
  setStalled(stalled: boolean): void;
  close(): Promise<void>;
}

interface Pipe {
  client: Socket;
  upstream: Socket;
  held: Buffer[];
}

/**
 * A TCP proxy in front of a broker, to cut or stall a client's link the way a real network does.
 * `refuseMqtt5` makes it answer an MQTT 5 CONNECT as a 3.1.1-only broker does (CONNACK 0x01, close).
 */
export async function startProxy(
  targetPort: number,
  opts: { refuseMqtt5?: boolean } = {},
): Promise<TcpProxy> {
  const pipes = new Set<Pipe>();
  let holding = false;
  let blocked = false;
  let stalled = false;
  const isStalled = () => stalled;
  const server = createServer((client) => {
    if (blocked) {
      client.destroy();
      return;
    }
    if (opts.refuseMqtt5) {
      client.once('data', (first: Buffer) => {
        if (connectLevel(first) === 5) {
          client.end(Buffer.from([0x20, 0x02, 0x00, 0x01]));
          return;
        }
        const pipe = openPipe(client, targetPort, () => holding, pipes, isStalled);
        pipe.upstream.write(first);
        pipes.add(pipe);
      });
      return;
    }
    pipes.add(openPipe(client, targetPort, () => holding, pipes, isStalled));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  const dropConnections = (): void => {
    for (const p of pipes) destroyPipe(p, pipes);
  };
  return {
    url: `mqtt://127.0.0.1:${address.port}`,
    port: address.port,
    holdDownstream: () => {
      holding = true;
    },
    releaseDownstream: () => {
      holding = false;
      for (const p of pipes) for (const chunk of p.held.splice(0)) p.client.write(chunk);
    },
    dropConnections,
    setBlocked: (b) => {
      blocked = b;
    },
    setStalled: (s) => {
      stalled = s;
    },
    close: async () => {
      dropConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function openPipe(
  client: Socket,
  targetPort: number,
  holding: () => boolean,
  pipes: Set<Pipe>,
  stalled: () => boolean = () => false,
): Pipe {
  const upstream = createConnection({ port: targetPort, host: '127.0.0.1' });
  const pipe: Pipe = { client, upstream, held: [] };
  client.on('data', (d: Buffer) => {
    if (!stalled()) upstream.write(d);
  });
  upstream.on('data', (d: Buffer) => {
    if (stalled()) return;
    if (holding()) pipe.held.push(d);
    else client.write(d);
  });
  for (const socket of [client, upstream]) {
    socket.on('close', () => destroyPipe(pipe, pipes));
    socket.on('error', () => destroyPipe(pipe, pipes));
  }
  return pipe;
}

function destroyPipe(pipe: Pipe, pipes: Set<Pipe>): void {
  pipes.delete(pipe);
  pipe.held.length = 0;
  pipe.client.destroy();
  pipe.upstream.destroy();
}

/** The protocol level byte of an MQTT CONNECT packet at the start of `buf`, if it is one. */
function connectLevel(buf: Buffer): number | undefined {
  if (buf[0] !== 0x10) return undefined;
  let pos = 1;
  while (pos < 5 && ((buf[pos] ?? 0) & 0x80) !== 0) pos += 1;
  pos += 1;
  const nameLength = buf.readUInt16BE(pos);
  return buf[pos + 2 + nameLength];
}

/**
 * mosquitto.conf lines for a broker whose sessions and queues survive a restart, kept in a new folder
 * under `parent`. Mosquitto started as root drops to the `mosquitto` user and then silently saves
 * nothing to a folder it cannot write, so the folder is handed to that user.
 */
export async function persistentBrokerConfig(parent: string): Promise<string> {
  const dir = await mkdtemp(join(parent, 'broker-'));
  if (process.getuid?.() === 0) {
    const { execFileSync } = await import('node:child_process');
    const uid = Number(execFileSync('id', ['-u', 'mosquitto']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'mosquitto']).toString().trim());
    await chown(dir, uid, gid);
    await chmod(parent, 0o755);
  }
  // No cap on what a persistent session may queue while its hub is away (the default is 1000).
  return `persistence true\npersistence_location ${dir}/\nmax_queued_messages 1000000\n`;
}
