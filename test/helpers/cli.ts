import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const MAIN = resolve('dist/src/main.js');
/** The built `pima-hub` binary. */
export const HUB_MAIN = resolve('dist/src/hub/main.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `pima-kiosk` binary (or `main`, e.g. HUB_MAIN) as its own process. */
export function cli(
  args: readonly string[],
  opts: { cwd?: string; env?: Record<string, string>; main?: string } = {},
): Promise<CliResult> {
  return new Promise((resolveResult, reject) => {
    const child = spawn(process.execPath, [opts.main ?? MAIN, ...args], {
      cwd: opts.cwd,
      env: { ...process.env, PIMA_KIOSK_CONFIG: '', PIMA_HUB_CONFIG: '', ...opts.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolveResult({ code, signal, stdout, stderr }));
  });
}

export interface RunningService {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/**
 * Starts `pima-kiosk run ...` (or `main run ...`) and resolves once it logs `ready` (default: the
 * kiosk's "running" line).
 */
export async function startService(
  args: readonly string[],
  opts: {
    cwd?: string;
    env?: Record<string, string>;
    main?: string;
    ready?: RegExp;
    /** Node flags before the script (e.g. the unit's ExecStart flags). */
    nodeArgs?: readonly string[];
  } = {},
): Promise<RunningService> {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), opts.main ?? MAIN, 'run', ...args], {
    cwd: opts.cwd,
    env: { ...process.env, PIMA_KIOSK_CONFIG: '', PIMA_HUB_CONFIG: '', ...opts.env },
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('close', (code, signal) => r({ code, signal })),
  );
  const waitForStderr = async (pattern: RegExp, timeoutMs = 10_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(err)) {
      if (Date.now() > deadline || child.exitCode !== null) {
        throw new Error(`service did not log ${pattern} (exit ${child.exitCode}):\n${err}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  // generous: under load (other tests, CPU hogs) a start can take several seconds
  await waitForStderr(opts.ready ?? /INFO {2}kiosk: running/, 30_000);
  return { child, stdout: () => out, stderr: () => err, exited, waitForStderr };
}
