import { decodeHexFrame, type HexFrame } from './hex.js';

/**
 * The VE.Direct text protocol as a byte-level state machine. Pure: bytes and their arrival time in,
 * decoded blocks, HEX frames and errors out; no I/O, no clock of its own.
 *
 * A block is `\r\n<label>\t<value>` records ending in `\r\nChecksum\t<byte>`; the sum of every byte of
 * the block, checksum byte included, is 0 mod 256. The checksum byte can be anything (CR, LF, ':', ≥0x80),
 * so the protocol cannot be split into lines. HEX frames (':' … '\n') may appear anywhere except as the
 * checksum byte; they are not part of the text sum, are validated on their own and the text block
 * resumes after them. A silence longer than `gapMs` between two bytes ends whatever was in progress.
 *
 * After a failure in the middle of a block the parser is out of step: the rest of that block, read from
 * its next record, is a well-formed "block" whose sum is 0 once in 256. So the first block completed
 * after such a failure is dropped (`resync`) whatever its checksum. A checksum failure ends at a block
 * boundary, and after a silence the device starts a fresh block: neither needs a resync.
 *
 * A block that carries a label twice is refused (`repeated-label`) even when its sum holds: two frames
 * spliced together on a noisy line, or a label garbled into another, and either value would be a guess.
 * It ends at a block boundary like a checksum failure, so it needs no resync either.
 */
export type ParserError =
  | 'checksum'
  | 'repeated-label'
  | 'bad-byte'
  | 'overflow'
  | 'gap'
  | 'hex-coding'
  | 'hex-checksum'
  | 'hex-overflow'
  | 'resync';

export type ParserEvent =
  | { type: 'block'; fields: ReadonlyArray<readonly [string, string]> }
  | { type: 'hex'; frame: HexFrame }
  | { type: 'error'; reason: ParserError };

export interface ParserLimits {
  /** A silence longer than this between bytes resets the parser (ms). */
  gapMs: number;
  maxLabel: number;
  maxValue: number;
  maxFields: number;
  maxHexDigits: number;
}

/** Spec limits are 8-char labels, 32-char values and 22 records (protocol 3.30); these leave room. */
export const DEFAULT_LIMITS: ParserLimits = {
  gapMs: 500,
  maxLabel: 16,
  maxValue: 64,
  maxFields: 32,
  maxHexDigits: 160,
};

type TextState = 'idle' | 'label' | 'value' | 'checksum';

const CR = 0x0d;
const LF = 0x0a;
const TAB = 0x09;
const COLON = 0x3a;
const CHECKSUM_LABEL = 'Checksum';

const printable = (b: number): boolean => b >= 0x20 && b <= 0x7e;

export class VeDirectParser {
  private state: TextState = 'idle';
  private inHex = false;
  private sum = 0;
  private label: number[] = [];
  private value: number[] = [];
  private fields: Array<readonly [string, string]> = [];
  /** Labels of this block so far; `repeated` is set once one comes again (judged at the checksum). */
  private labels = new Set<string>();
  private repeated = false;
  private hex: number[] = [];
  private lastByteAt: number | undefined;
  private resyncing = false;
  private readonly limits: ParserLimits;

  constructor(limits: Partial<ParserLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Feeds bytes that arrived at `atMs` (any clock, only differences matter). */
  push(bytes: Uint8Array, atMs: number): ParserEvent[] {
    const out: ParserEvent[] = [];
    if (bytes.length === 0) return out;
    if (this.lastByteAt !== undefined && atMs - this.lastByteAt > this.limits.gapMs) {
      // after a silence the device starts afresh (it was reset or replugged): no resync needed
      if (this.busy()) out.push({ type: 'error', reason: 'gap' });
      this.toIdle();
      this.resyncing = false;
    }
    this.lastByteAt = atMs;
    for (const b of bytes) this.byte(b, out);
    return out;
  }

  /** Forgets any partial block (e.g. after the port was reopened). */
  reset(): void {
    this.toIdle();
    this.resyncing = false;
    this.lastByteAt = undefined;
  }

  private busy(): boolean {
    return this.inHex || this.state !== 'idle';
  }

  private byte(b: number, out: ParserEvent[]): void {
    if (this.inHex) {
      this.hexByte(b, out);
      return;
    }
    if (b === COLON && this.state !== 'checksum') {
      this.inHex = true;
      this.hex = [];
      return;
    }
    switch (this.state) {
      case 'idle':
        this.idleByte(b);
        return;
      case 'label':
        this.labelByte(b, out);
        return;
      case 'value':
        this.valueByte(b, out);
        return;
      case 'checksum':
        this.checksumByte(b, out);
        return;
    }
  }

  private idleByte(b: number): void {
    if (b === CR) this.sum = CR;
    else if (b === LF) {
      this.sum = (this.sum + LF) & 0xff;
      this.state = 'label';
    } else this.sum = 0;
  }

  private labelByte(b: number, out: ParserEvent[]): void {
    this.sum = (this.sum + b) & 0xff;
    if (b === TAB) {
      const label = String.fromCharCode(...this.label);
      if (label.length === 0) {
        this.fail(out, 'bad-byte');
        return;
      }
      this.state = label === CHECKSUM_LABEL ? 'checksum' : 'value';
      return;
    }
    if (!printable(b)) {
      this.fail(out, 'bad-byte');
      return;
    }
    if (this.label.length >= this.limits.maxLabel) {
      this.fail(out, 'overflow');
      return;
    }
    this.label.push(b);
  }

  private valueByte(b: number, out: ParserEvent[]): void {
    this.sum = (this.sum + b) & 0xff;
    if (b === CR) return;
    if (b === LF) {
      if (this.fields.length >= this.limits.maxFields) {
        this.fail(out, 'overflow');
        return;
      }
      const label = String.fromCharCode(...this.label);
      // read on to the checksum rather than fail here: the block still ends at a boundary, no resync
      if (this.labels.has(label)) this.repeated = true;
      this.labels.add(label);
      this.fields.push([label, String.fromCharCode(...this.value)]);
      this.label = [];
      this.value = [];
      this.state = 'label';
      return;
    }
    if (!printable(b)) {
      this.fail(out, 'bad-byte');
      return;
    }
    if (this.value.length >= this.limits.maxValue) {
      this.fail(out, 'overflow');
      return;
    }
    this.value.push(b);
  }

  private checksumByte(b: number, out: ParserEvent[]): void {
    const valid = ((this.sum + b) & 0xff) === 0;
    const fields = this.fields;
    const repeated = this.repeated;
    this.toIdle();
    if (this.resyncing) {
      this.resyncing = false;
      out.push({ type: 'error', reason: 'resync' });
    } else if (!valid) out.push({ type: 'error', reason: 'checksum' });
    else if (repeated) out.push({ type: 'error', reason: 'repeated-label' });
    else out.push({ type: 'block', fields });
  }

  private hexByte(b: number, out: ParserEvent[]): void {
    if (b !== LF) {
      if (this.hex.length >= this.limits.maxHexDigits) {
        this.fail(out, 'hex-overflow');
        return;
      }
      this.hex.push(b);
      return;
    }
    this.inHex = false;
    const result = decodeHexFrame(Uint8Array.from(this.hex));
    this.hex = [];
    if (result.ok) out.push({ type: 'hex', frame: result.frame });
    // A broken HEX frame may have swallowed text bytes: the text block around it cannot be trusted.
    else this.fail(out, result.reason);
  }

  private fail(out: ParserEvent[], reason: ParserError): void {
    out.push({ type: 'error', reason });
    this.resyncing = true;
    this.toIdle();
  }

  private toIdle(): void {
    this.state = 'idle';
    this.inHex = false;
    this.sum = 0;
    this.label = [];
    this.value = [];
    this.fields = [];
    this.labels = new Set();
    this.repeated = false;
    this.hex = [];
  }
}
