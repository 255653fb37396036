import { createRequire } from 'node:module';

/**
 * The small promise-based port contract the serial drivers use (node-serialport's binding pattern): the
 * real port and a test double differ only in the opener that is injected.
 */
export interface PortEvents {
  data(chunk: Buffer): void;
  /** The port closed or failed under us (unplugged USB); not called for our own `close()`. */
  lost(reason: string): void;
}

export interface OpenPort {
  write(bytes: Buffer): Promise<void>;
  close(): Promise<void>;
}

export interface PortSettings {
  path: string;
  baudRate: number;
}

export type PortOpener = (settings: PortSettings, events: PortEvents) => Promise<OpenPort>;

/** What a serialport 13 stream offers that we need; `SerialPort` and `SerialPortMock` both fit. */
export interface SerialStream {
  readonly isOpen: boolean;
  open(cb: (err: Error | null) => void): void;
  close(cb: (err: Error | null) => void): void;
  write(data: Buffer, cb: (err: Error | null | undefined) => void): boolean;
  on(event: 'data', fn: (chunk: Buffer) => void): this;
  on(event: 'error', fn: (err: Error) => void): this;
  on(event: 'close', fn: (err?: Error | null) => void): this;
  removeAllListeners(): this;
}

/** Adapts a serialport stream factory (8N1, not opened yet) to the `PortOpener` contract. */
export function streamOpener(make: (settings: PortSettings) => SerialStream): PortOpener {
  return async (settings, events) => {
    const stream = make(settings);
    await new Promise<void>((resolve, reject) => stream.open((err) => (err ? reject(err) : resolve())));
    let closing = false;
    stream.on('data', (chunk) => events.data(chunk));
    stream.on('error', (err) => {
      if (!closing) events.lost(err.message);
    });
    stream.on('close', (err) => {
      if (!closing) events.lost(err ? err.message : 'port closed');
    });
    return {
      write: (bytes) =>
        new Promise<void>((resolve, reject) => {
          stream.write(bytes, (err) => (err ? reject(err) : resolve()));
        }),
      close: () =>
        new Promise<void>((resolve) => {
          closing = true;
          if (!stream.isOpen) {
            stream.removeAllListeners();
            resolve();
            return;
          }
          stream.close(() => {
            stream.removeAllListeners();
            resolve();
          });
        }),
    };
  };
}

/**
 * node-serialport, loaded on first use: with its native binding and parsers it is ~14 MB of memory
 * that a point without serial devices (every simulated one) should not carry.
 */
export function serialPortClass(): typeof import('serialport').SerialPort {
  const load = createRequire(import.meta.url);
  return (load('serialport') as typeof import('serialport')).SerialPort;
}

/** The real serial port: 8 data bits, no parity, 1 stop bit, no flow control. */
export const openSerialPort: PortOpener = streamOpener(
  (s) =>
    new (serialPortClass())({
      path: s.path,
      baudRate: s.baudRate,
      dataBits: 8,
      parity: 'none',
      stopBits: 1,
      autoOpen: false,
    }),
);
