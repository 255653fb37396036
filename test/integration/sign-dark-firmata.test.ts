import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FirmataBoardEmulator } from '../emulators/firmata-board.js';
import { cli, type RunningService, startService } from '../helpers/cli.js';
import { type PtyPair, startPtyPair } from '../helpers/pty.js';

/**
 * `pima-kiosk sign dark` after the service was SIGKILLed with the Firmata sign lit: StandardFirmata keeps
 * its pins when the host dies, so only this command (ExecStopPost) puts the LEDs out.
 */
const WAIT = { timeout: 60_000, interval: 50 };
const RGB = { red: 9, green: 10, blue: 11 };
const LEDS = { OPEN: 2, OPEN_LIMITED: 4, FULL: 7, STANDBY: 8, CLOSED: 12 }; // not PWM-capable: johnny-five drives them digital
const LED_PINS = Object.values(LEDS);
const ALL_PINS = [...LED_PINS, RGB.red, RGB.green, RGB.blue].sort((a, b) => a - b);

interface Rig {
  dir: string;
  app: string;
  pty: PtyPair;
  board: FirmataBoardEmulator;
}

let dirs: string[] = [];
let rigs: Rig[] = [];
let services: RunningService[] = [];

afterEach(async () => {
  for (const s of services) {
    if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    await s.exited;
  }
  for (const r of rigs) {
    await r.board.stop();
    await r.pty.stop();
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  services = [];
  rigs = [];
  dirs = [];
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pima-sign-dark-'));
  dirs.push(dir);
  return dir;
}

async function rig(): Promise<Rig> {
  const dir = tempDir();
  const app = join(dir, 'pima-firmata');
  const device = join(dir, 'device');
  const pty = await startPtyPair({ appLink: app, deviceLink: device });
  const board = new FirmataBoardEmulator({ path: device });
  await board.start();
  const r = { dir, app, pty, board };
  rigs.push(r);
  return r;
}

/** A simulated point whose sign is the Firmata board's RGB LED and state LEDs; optionally a GPIO box too. */
function writeConfig(dir: string, port: string, name: string, gpioRoot?: string): string {
  const file = join(dir, name);
  const lines = [
    'point:',
    '  id: sign-dark-point',
    '  capacity: 30',
    'storage:',
    `  path: ${join(dir, 'kiosk.db')}`,
    'simulation:',
    '  scenario: normal',
    'hardware:',
    '  firmata:',
    `    port: ${port}`,
    ...(gpioRoot ? ['  gpio:', '    backend: sysfs', `    sysfsRoot: ${gpioRoot}`] : []),
    'sign:',
    `  outputs: [${gpioRoot ? 'gpio, ' : ''}firmata]`,
    ...(gpioRoot ? ['  gpio:', '    lamps: { OPEN: 22, CLOSED: 16 }'] : []),
    '  firmata:',
    `    rgb: { red: ${RGB.red}, green: ${RGB.green}, blue: ${RGB.blue} }`,
    `    leds: { ${Object.entries(LEDS)
      .map(([s, p]) => `${s}: ${p}`)
      .join(', ')} }`,
    '  lampTest: { atStart: false, dailyAt: null }',
    '',
  ];
  writeFileSync(file, lines.join('\n'));
  return file;
}

/**
 * How long the CLI takes to start and load this config without touching a port: set-up, which load
 * stretches, taken off the bounds below so they measure what `sign dark` itself spends.
 */
async function cliStartMs(config: string): Promise<number> {
  const t0 = Date.now();
  const r = await cli(['check-config', '--config', config]);
  expect(r.code).toBe(0);
  return Date.now() - t0;
}

const litLeds = (board: FirmataBoardEmulator) => LED_PINS.filter((p) => board.digital.get(p) === 1);

/** Runs the real service until the board shows a colour, then kills it the hard way. */
async function litThenKilled(r: Rig, config: string): Promise<string> {
  const service = await startService(['--config', config]);
  services.push(service);
  await vi.waitFor(() => {
    expect(r.board.rgb(RGB)).not.toBe('#000000');
    expect(litLeds(r.board)).toHaveLength(1);
  }, WAIT);
  const colour = r.board.rgb(RGB);
  service.child.kill('SIGKILL');
  expect(await service.exited).toEqual({ code: null, signal: 'SIGKILL' });
  // nobody turned it off: the board keeps the dead controller's colour (the stale OPEN at the door)
  await new Promise((res) => setTimeout(res, 300));
  expect(litLeds(r.board)).toHaveLength(1);
  return colour;
}

function expectDark(board: FirmataBoardEmulator): void {
  expect(board.rgb(RGB)).toBe('#000000');
  expect(litLeds(board)).toEqual([]);
  for (const p of LED_PINS) expect(board.modes.get(p)).toBe(1); // OUTPUT, driven low, not floating
}

// Each test starts Node processes and a PTY board: seconds apiece on a loaded 2-core machine.
describe('pima-kiosk sign dark with a Firmata sign', { timeout: 120_000 }, () => {
  it('puts out the LEDs a SIGKILLed service left lit, and exits 0', async () => {
    const r = await rig();
    const config = writeConfig(r.dir, r.app, 'config.yaml');
    const colour = await litThenKilled(r, config);
    expect(colour).toMatch(/^#[0-9a-f]{6}$/);
    const startMs = await cliStartMs(config);
    const t0 = Date.now();
    const res = await cli(['sign', 'dark', '--config', config]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(
      `sign dark: Firmata sign on ${r.app}: ${ALL_PINS.length} pin(s) off (${ALL_PINS.join(', ')})\n`,
    );
    expect(Date.now() - t0 - startMs).toBeLessThan(8000);
    // drained before the port closed; the emulator reads it through socat a moment later
    await vi.waitFor(() => expectDark(r.board), WAIT);
  });

  it('a failing GPIO sign does not stop the Firmata one: both reported, exit 1, board dark', async () => {
    const r = await rig();
    const config = writeConfig(r.dir, r.app, 'config.yaml');
    await litThenKilled(r, config);
    const both = writeConfig(r.dir, r.app, 'both.yaml', join(r.dir, 'no-gpio-here'));
    const res = await cli(['sign', 'dark', '--config', both]);
    expect(res.code).toBe(1);
    expect(res.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^GPIO sign: no GPIO sysfs tree at /),
    ]);
    expect(res.stdout).toContain(`sign dark: Firmata sign on ${r.app}: ${ALL_PINS.length} pin(s) off`);
    await vi.waitFor(() => expectDark(r.board), WAIT);
  });

  it('an absent port: one line naming it, exit 1, quickly', async () => {
    const dir = tempDir();
    const port = join(dir, 'nothing-here');
    const config = writeConfig(dir, port, 'config.yaml');
    const startMs = await cliStartMs(config);
    const t0 = Date.now();
    const res = await cli(['sign', 'dark', '--config', config]);
    expect(Date.now() - t0 - startMs).toBeLessThan(5000);
    expect(res.code).toBe(1);
    const lines = res.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Firmata sign on ${port}: cannot open `));
    expect(res.stdout).toContain(`sign dark: Firmata sign on ${port}: NOT darkened\n`);
  });

  it('a board that never answers: a handshake timeout naming the port, exit 1, bounded', async () => {
    const r = await rig();
    await r.board.stop(); // the PTY opens, but nothing speaks Firmata behind it
    const config = writeConfig(r.dir, r.app, 'config.yaml');
    const startMs = await cliStartMs(config);
    const t0 = Date.now();
    const res = await cli(['sign', 'dark', '--config', config]);
    expect(Date.now() - t0 - startMs).toBeLessThan(10_000);
    expect(res.code).toBe(1);
    expect(res.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^Firmata sign on ${r.app}: no Firmata handshake within \\d+ ms`)),
    ]);
  });
});
