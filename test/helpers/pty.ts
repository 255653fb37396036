import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** A socat pseudo-terminal pair: what one end writes, the other reads (a serial cable in software). */
export interface PtyPair {
  /** The end the service opens (a stable symlink when `link` was given). */
  app: string;
  /** The end the device emulator opens. */
  device: string;
  /** The real /dev/pts paths behind them. */
  pts: [string, string];
  stop(): Promise<void>;
}

export interface PtyOptions {
  /** Symlink paths for the two ends, so a recreated pair appears at the same path (replug). */
  appLink?: string;
  deviceLink?: string;
  timeoutMs?: number;
}

const PTY_LINE = /PTY is (\S+)/g;

/** Starts `socat -d -d pty,raw,echo=0 pty,raw,echo=0` and reads the two device paths from its stderr. */
export async function startPtyPair(opts: PtyOptions = {}): Promise<PtyPair> {
  const end = (link?: string): string => `pty,raw,echo=0${link ? `,link=${link}` : ''}`;
  const child = spawn('socat', ['-d', '-d', end(opts.appLink), end(opts.deviceLink)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const pts = await new Promise<[string, string]>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`socat printed no PTY paths in time: ${text}`));
    }, opts.timeoutMs ?? 10_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run socat (apt-get install socat): ${err.message}`));
    });
    child.stderr?.on('data', (d: Buffer) => {
      text += d.toString();
      const found = [...text.matchAll(PTY_LINE)].map((m) => m[1] ?? '');
      if (found.length >= 2 && text.includes('starting data transfer loop')) {
        clearTimeout(timer);
        resolve([found[0] ?? '', found[1] ?? '']);
      }
    });
  });
  const app = opts.appLink ?? pts[0];
  const device = opts.deviceLink ?? pts[1];
  await waitFor(() => existsSync(app) && existsSync(device), 5000);
  return { app, device, pts, stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function waitFor(pred: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error('PTY paths did not appear');
    await new Promise((r) => setTimeout(r, 20));
  }
}
