import { SerialPort } from 'serialport';
import { encodeHexFrame } from '../../src/drivers/vedirect/hex.js';

/** A Victron VE.Direct device in text mode, written from the device side of a PTY. */
export type Fields = ReadonlyArray<readonly [string, string]>;

/** One text block with its checksum byte (the modulo-256 sum of every byte is 0). */
export function encodeBlock(fields: Fields): Buffer {
  const body = Buffer.from(
    [...fields.map(([l, v]) => `\r\n${l}\t${v}`), '\r\nChecksum\t'].join(''),
    'latin1',
  );
  let sum = 0;
  for (const b of body) sum = (sum + b) & 0xff;
  return Buffer.concat([body, Buffer.from([(256 - sum) & 0xff])]);
}

/** A capture stored as hex digits (whitespace and `#` comment lines ignored), as test/fixtures/vedirect holds them. */
export function readCapture(text: string): Buffer {
  const digits = text
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'))
    .join('')
    .replace(/\s+/g, '');
  if (!/^([0-9a-f]{2})*$/i.test(digits)) throw new Error('a capture is pairs of hex digits');
  return Buffer.from(digits, 'hex');
}

/** Inserts `insert` into `block` at `at` (HEX frames may appear anywhere but as the checksum byte). */
export function spliceBytes(block: Buffer, at: number, insert: Buffer): Buffer {
  return Buffer.concat([block.subarray(0, at), insert, block.subarray(at)]);
}

/** A SmartShunt 500A/50mV: main block, then the history block (two blocks per cycle, as BMVs do). */
export const SMARTSHUNT: readonly Fields[] = [
  [
    ['PID', '0xA389'],
    ['V', '12850'],
    ['VS', '12710'],
    ['I', '-3250'],
    ['P', '-42'],
    ['CE', '-10200'],
    ['SOC', '876'],
    ['TTG', '1320'],
    ['Alarm', 'OFF'],
    ['Relay', 'OFF'],
    ['AR', '0'],
    ['BMV', 'SmartShunt 500A/50mV'],
    ['FW', '0413'],
    ['MON', '0'],
  ],
  [
    ['H1', '-55000'],
    ['H2', '-10200'],
    ['H4', '17'],
    ['H7', '11200'],
    ['H8', '14400'],
    ['H9', '86400'],
    ['H17', '4500'],
    ['H18', '5100'],
  ],
];

/**
 * A BMV-712 Smart at rest, as the "VE.Direct Protocol" document's BMV example and the captures
 * show it: fully charged, no current, TTG -1 ("infinite"), then its history block H1..H18.
 */
export const BMV712_AT_REST: readonly Fields[] = [
  [
    ['PID', '0xA381'],
    ['V', '13312'],
    ['VS', '12841'],
    ['I', '0'],
    ['P', '0'],
    ['CE', '0'],
    ['SOC', '1000'],
    ['TTG', '-1'],
    ['Alarm', 'OFF'],
    ['Relay', 'OFF'],
    ['AR', '0'],
    ['BMV', '712 Smart'],
    ['FW', '0413'],
    ['MON', '0'],
  ],
  [
    ['H1', '-55000'],
    ['H2', '-10200'],
    ['H3', '-23400'],
    ['H4', '17'],
    ['H5', '0'],
    ['H6', '-1404000'],
    ['H7', '11200'],
    ['H8', '14400'],
    ['H9', '86400'],
    ['H10', '3'],
    ['H11', '1'],
    ['H12', '0'],
    ['H13', '0'],
    ['H14', '0'],
    ['H15', '10900'],
    ['H16', '13800'],
    ['H17', '4500'],
    ['H18', '5100'],
  ],
];

/**
 * A Phoenix Inverter 12V 250VA 230V (PID 0xA201) inverting, with the fields of the document's Phoenix
 * table: MODE 2 (inverter), CS 9 (inverting), AC output 230.01 V, 0.7 A, 161 VA, warning "low voltage".
 */
export const PHOENIX_INVERTER: readonly Fields[] = [
  [
    ['PID', '0xA201'],
    ['FW', '0114'],
    ['SER#', 'HQ1731ABCDE'],
    ['MODE', '2'],
    ['CS', '9'],
    ['AC_OUT_V', '23001'],
    ['AC_OUT_I', '7'],
    ['AC_OUT_S', '161'],
    ['V', '12390'],
    ['AR', '0'],
    ['WARN', '1'],
    ['OR', '0x00000000'],
  ],
];

/** A BlueSolar MPPT 75/10 (fields of a real capture). */
export const MPPT: readonly Fields[] = [
  [
    ['PID', '0xA04C'],
    ['FW', '127'],
    ['SER#', 'HQ1621FRG7Z'],
    ['V', '14990'],
    ['I', '2770'],
    ['VPV', '20450'],
    ['PPV', '42'],
    ['CS', '4'],
    ['ERR', '0'],
    ['LOAD', 'OFF'],
    ['IL', '0'],
    ['H19', '6078'],
    ['H20', '14'],
    ['H21', '100'],
    ['H22', '52'],
    ['H23', '148'],
    ['HSDS', '208'],
  ],
];

export interface VeDirectDeviceOptions {
  path: string;
  blocks?: readonly Fields[];
  /**
   * Replays these bytes (a capture) instead of `blocks`: written in 64-byte chunks about as fast as
   * 19200 baud carries them, from the start again at the end.
   */
  capture?: Buffer;
  intervalMs?: number;
  /** Interleave async HEX frames inside and after blocks, as firmware ≥ 1.53 does. */
  hex?: boolean;
  /** Random bytes between cycles (line noise). */
  noise?: boolean;
}

export type Corruption = 'none' | 'flip-value' | 'flip-checksum' | 'bad-hex';

/** Writes one cycle of blocks every `intervalMs`; can corrupt them to prove no value gets through. */
export class VeDirectDevice {
  private port: SerialPort | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private blocks: readonly Fields[];
  private corruption: Corruption = 'none';
  private seq = 0;
  cyclesSent = 0;

  constructor(private readonly opts: VeDirectDeviceOptions) {
    this.blocks = opts.blocks ?? SMARTSHUNT;
  }

  async start(): Promise<void> {
    const port = new SerialPort({ path: this.opts.path, baudRate: 19_200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    port.on('error', () => undefined);
    this.port = port;
    if (this.opts.capture) {
      this.timer = setInterval(() => this.replayChunk(), 33);
      return;
    }
    this.timer = setInterval(() => this.cycle(), this.opts.intervalMs ?? 200);
    this.cycle();
  }

  private replayAt = 0;

  private replayChunk(): void {
    const capture = this.opts.capture;
    const port = this.port;
    if (!capture || capture.length === 0 || !port?.isOpen) return;
    const end = Math.min(this.replayAt + 64, capture.length);
    port.write(capture.subarray(this.replayAt, end));
    this.replayAt = end === capture.length ? 0 : end;
    if (this.replayAt === 0) this.cyclesSent++;
  }

  setBlocks(blocks: readonly Fields[]): void {
    this.blocks = blocks;
  }

  corrupt(mode: Corruption): void {
    this.corruption = mode;
  }

  /** The bytes of one cycle, as they go on the wire. */
  cycleBytes(): Buffer {
    const parts: Buffer[] = [];
    for (const fields of this.blocks) {
      let block = this.mangle(encodeBlock(fields));
      if (this.opts.hex) {
        const async = Buffer.from(encodeHexFrame(0xa, [0xdb, 0xed, 0x00, 0x1a, 0x0d]), 'latin1');
        block = spliceBytes(block, Math.floor(block.length / 2), async);
        block = Buffer.concat([
          block,
          Buffer.from(encodeHexFrame(0xa, [0x02, 0x02, 0x00, 0x02, 0, 0, 0, 0])),
        ]);
      }
      parts.push(block);
    }
    if (this.opts.noise) parts.push(Buffer.from([0x00, 0xff, 0x13, 0x37, 0x80 + (this.seq++ % 64)]));
    return Buffer.concat(parts);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  private cycle(): void {
    const port = this.port;
    if (!port?.isOpen) return;
    port.write(this.cycleBytes());
    this.cyclesSent++;
  }

  private mangle(block: Buffer): Buffer {
    const b = Buffer.from(block);
    if (this.corruption === 'flip-value') {
      const at = b.indexOf('\r\nV\t');
      const i = at >= 0 ? at + 4 : b.indexOf(0x09) + 1; // first byte of the voltage (or first value)
      b[i] = (b[i] ?? 0) ^ 0x01;
    } else if (this.corruption === 'flip-checksum') {
      b[b.length - 1] = ((b[b.length - 1] ?? 0) + 1) & 0xff;
    } else if (this.corruption === 'bad-hex') {
      const bad = Buffer.from(':ADBED001A0D5D\n', 'latin1'); // checksum off by one
      return spliceBytes(b, 10, bad);
    }
    return b;
  }
}
