import { SerialPort } from 'serialport';

/**
 * An Arduino Nano running StandardFirmata 2.5, on the device end of a PTY. It answers the handshake
 * firmata-io performs (REPORT_VERSION, firmware query, capability and analog-mapping queries, pin-state
 * queries), streams the analog channels the host asked for, and records every pin mode, digital write and
 * PWM write, so tests can see what the sign really sent.
 */
const PIN_COUNT = 22; // D0..D13, A0..A7 = 14..21
const PWM_PINS = new Set([3, 5, 6, 9, 10, 11]);
const ANALOG_FIRST = 14;

export interface FirmataBoardOptions {
  path: string;
  /** StandardFirmata prints version and firmware right after reset (the DTR reset on open). */
  announceOnOpen?: boolean;
  firmwareName?: string;
  streamMs?: number;
}

export interface PinWrite {
  pin: number;
  value: number;
  t: number;
}

export class FirmataBoardEmulator {
  /** Raw ADC values (0..1023) per analog channel, set by the test. */
  readonly analog: number[] = Array(8).fill(0);
  readonly modes = new Map<number, number>();
  readonly digital = new Map<number, 0 | 1>();
  readonly pwm = new Map<number, number>();
  readonly pwmWrites: PinWrite[] = [];
  readonly digitalWrites: PinWrite[] = [];
  readonly reporting = new Set<number>();
  readonly received: number[][] = [];
  private port: SerialPort | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private sysex: number[] | undefined;
  private cmd: number[] = [];
  /** Set to false to play a board that hangs: it stops answering and streaming. */
  responsive = true;

  constructor(private readonly opts: FirmataBoardOptions) {}

  async start(): Promise<void> {
    const port = new SerialPort({ path: this.opts.path, baudRate: 57_600, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    this.port = port;
    port.on('data', (chunk: Buffer) => {
      for (const b of chunk) this.byte(b);
    });
    port.on('error', () => undefined);
    if (this.opts.announceOnOpen ?? true) {
      this.send([0xf9, 2, 5]);
      this.sendFirmware();
    }
    this.timer = setInterval(() => this.stream(), this.opts.streamMs ?? 20);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((r) => port.close(() => r()));
  }

  /** The colour the RGB LED on these pins shows now, as `#rrggbb` (common cathode, 8-bit PWM). */
  rgb(pins: { red: number; green: number; blue: number }): string {
    const hex = (p: number) => (this.pwm.get(p) ?? 0).toString(16).padStart(2, '0');
    return `#${hex(pins.red)}${hex(pins.green)}${hex(pins.blue)}`;
  }

  private send(bytes: number[]): void {
    if (this.responsive) this.port?.write(Buffer.from(bytes));
  }

  private sendFirmware(): void {
    const name = [...(this.opts.firmwareName ?? 'StandardFirmata.ino')].flatMap((c) => {
      const code = c.charCodeAt(0);
      return [code & 0x7f, (code >> 7) & 0x7f];
    });
    this.send([0xf0, 0x79, 2, 5, ...name, 0xf7]);
  }

  private stream(): void {
    for (const ch of this.reporting) {
      const v = Math.max(0, Math.min(1023, Math.round(this.analog[ch] ?? 0)));
      this.send([0xe0 | ch, v & 0x7f, (v >> 7) & 0x7f]);
    }
  }

  private byte(b: number): void {
    if (this.sysex) {
      if (b === 0xf7) {
        const msg = this.sysex;
        this.sysex = undefined;
        this.received.push([0xf0, ...msg, 0xf7]);
        this.onSysex(msg);
      } else this.sysex.push(b);
      return;
    }
    if (b === 0xf0) {
      this.sysex = [];
      return;
    }
    if (b >= 0x80) this.cmd = [b];
    else if (this.cmd.length) this.cmd.push(b);
    else return;
    const head = this.cmd[0] ?? 0;
    if (this.cmd.length === 1 + dataBytes(head)) {
      const msg = this.cmd;
      this.cmd = [];
      this.received.push(msg);
      this.onCommand(msg);
    }
  }

  private onCommand([head = 0, a = 0, b = 0]: number[]): void {
    const t = Date.now();
    if (head === 0xf9) this.send([0xf9, 2, 5]);
    else if (head === 0xf4) this.modes.set(a, b);
    else if ((head & 0xf0) === 0x90) {
      const port = head & 0x0f;
      const bits = a | (b << 7);
      for (let i = 0; i < 8; i++) {
        const pin = port * 8 + i;
        if (this.modes.get(pin) !== 1) continue;
        const level = (bits >> i) & 1 ? 1 : 0;
        if (this.digital.get(pin) !== level) this.digitalWrites.push({ pin, value: level, t });
        this.digital.set(pin, level);
      }
    } else if ((head & 0xf0) === 0xe0) {
      const pin = head & 0x0f;
      const value = a | (b << 7);
      this.pwm.set(pin, value);
      this.pwmWrites.push({ pin, value, t });
    } else if ((head & 0xf0) === 0xc0) {
      if (a) this.reporting.add(head & 0x0f);
      else this.reporting.delete(head & 0x0f);
    } else if (head === 0xff) {
      this.reporting.clear();
    }
  }

  private onSysex([cmd = 0, ...data]: number[]): void {
    if (cmd === 0x79) this.sendFirmware();
    else if (cmd === 0x6b) this.send([0xf0, 0x6c, ...capabilities(), 0xf7]);
    else if (cmd === 0x69) {
      const map = Array.from({ length: PIN_COUNT }, (_, p) => (p >= ANALOG_FIRST ? p - ANALOG_FIRST : 0x7f));
      this.send([0xf0, 0x6a, ...map, 0xf7]);
    } else if (cmd === 0x6d) {
      const pin = data[0] ?? 0;
      const state = PWM_PINS.has(pin) ? (this.pwm.get(pin) ?? 0) : (this.digital.get(pin) ?? 0);
      this.send([0xf0, 0x6e, pin, this.modes.get(pin) ?? 0, state & 0x7f, 0xf7]);
    }
  }
}

function dataBytes(head: number): number {
  if (head === 0xf9 || head === 0xff) return 0;
  if (head === 0xf4) return 2;
  const kind = head & 0xf0;
  if (kind === 0x90 || kind === 0xe0) return 2;
  if (kind === 0xc0 || kind === 0xd0) return 1;
  return 0;
}

function capabilities(): number[] {
  const out: number[] = [];
  for (let p = 0; p < PIN_COUNT; p++) {
    out.push(0x00, 1, 0x01, 1, 0x0b, 1);
    if (PWM_PINS.has(p)) out.push(0x03, 8);
    if (p >= ANALOG_FIRST) out.push(0x02, 10);
    out.push(0x7f);
  }
  return out;
}
