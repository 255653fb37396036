import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface AnalyzeResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `systemd-analyze ARGS...` (from the Debian package systemd). */
export function systemdAnalyze(args: readonly string[]): AnalyzeResult {
  const r = spawnSync('systemd-analyze', [...args], {
    encoding: 'utf8',
    env: { ...process.env, SYSTEMD_COLORS: '0' },
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The number from "Overall exposure level for X.service: 2.0 OK". */
export function exposureOf(output: string): number {
  const m = /Overall exposure level for \S+: (\d+(?:\.\d+)?)/.exec(output);
  if (!m?.[1]) throw new Error(`no exposure level in:\n${output}`);
  return Number(m[1]);
}

/** `Key=value` lines of a unit file, per key, in order (repeated keys accumulate). */
export function unitDirectives(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';') || line.startsWith('[')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq);
    out.set(key, [...(out.get(key) ?? []), line.slice(eq + 1)]);
  }
  return out;
}

export interface NotifyListener {
  /** Every datagram received so far, in order (BARRIER=1 from systemd-notify left out). */
  messages(): string[];
  waitFor(pred: (msgs: string[]) => boolean, timeoutMs?: number): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Listens on a unix datagram socket the way systemd does for NOTIFY_SOCKET. Node cannot bind one, so a
 * few lines of python3 do and print each datagram as a JSON string on its own line.
 */
export async function listenNotify(path: string): Promise<NotifyListener> {
  const script = [
    'import json, os, socket, sys',
    's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
    's.bind(sys.argv[1])',
    'print("LISTENING", flush=True)',
    'while True:',
    '    d = s.recv(65536)',
    '    print(json.dumps(d.decode("utf-8", "replace")), flush=True)',
  ].join('\n');
  const child: ChildProcess = spawn('python3', ['-u', '-c', script, path], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const received: string[] = [];
  let buffer = '';
  let listening = false;
  child.stdout?.on('data', (d: Buffer) => {
    buffer += d.toString();
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line === 'LISTENING') listening = true;
      else {
        const msg = JSON.parse(line) as string;
        if (msg !== 'BARRIER=1') received.push(msg);
      }
      nl = buffer.indexOf('\n');
    }
  });
  const waitFor = async (pred: (msgs: string[]) => boolean, timeoutMs = 10_000): Promise<string[]> => {
    const deadline = Date.now() + timeoutMs;
    while (!pred(received)) {
      if (Date.now() > deadline) throw new Error(`notify messages so far: ${JSON.stringify(received)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return [...received];
  };
  const deadline = Date.now() + 5000;
  while (!listening || !existsSync(path)) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error('python3 notify listener did not start');
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    messages: () => [...received],
    waitFor,
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('close', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
