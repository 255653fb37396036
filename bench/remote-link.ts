// The link emulator (test/helpers/link-emulator.ts) in a process of its own (link-relay.ts), for
// bench:link and bench:fleet: a drain under test then cannot stall the emulated link by keeping its own
// event loop busy (a real link does not share the point's CPU).
import { type ChildProcess, fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LinkStats } from '../test/helpers/link-emulator.js';

export interface RemoteLinkOptions {
  rateBitsPerSec: number;
  rttMs: number;
  loss?: number;
  /** Loopback port to listen on; default a free one. */
  port?: number;
}

export class RemoteLink {
  /** Answers come in the order of the questions. */
  private readonly waiting: Array<(s: LinkStats) => void> = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.on('message', (m: { stats?: LinkStats }) => {
      if (m.stats) this.waiting.shift()?.(m.stats);
    });
  }

  /** Relays connections to `targetPort` on loopback through the emulated link. */
  static async start(targetPort: number, opts: RemoteLinkOptions): Promise<RemoteLink> {
    const script = join(dirname(fileURLToPath(import.meta.url)), 'link-relay.js');
    const args = [opts.rateBitsPerSec, opts.rttMs, opts.loss ?? 0, targetPort, opts.port ?? 0];
    const child = fork(script, args.map(String), { stdio: 'inherit' });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m: { port: number }) => resolve(m.port));
      child.once('exit', (code) => reject(new Error(`link relay exited with ${code} before listening`)));
    });
    return new RemoteLink(child, `mqtt://127.0.0.1:${port}`);
  }

  stats(): Promise<LinkStats> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.child.send('stats');
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.send('close');
    });
  }
}
