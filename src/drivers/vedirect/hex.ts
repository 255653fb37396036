/**
 * VE.Direct HEX frames: ':' + command (one hex digit) + payload (two hex digits per byte) + checksum
 * (two hex digits) + '\n'. The decoded bytes (command nibble, payload, checksum) sum to 0x55 mod 256.
 * Pure: text of the frame in (without ':' and '\n'), decoded frame or a reason out.
 */
export interface HexFrame {
  command: number;
  payload: Uint8Array;
}

export type HexResult = { ok: true; frame: HexFrame } | { ok: false; reason: 'hex-coding' | 'hex-checksum' };

const HEX_CHECK = 0x55;

function nibble(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** Decodes the digits between ':' and '\n'. At least a command and a checksum (3 digits), odd count. */
export function decodeHexFrame(digits: Uint8Array): HexResult {
  if (digits.length < 3 || digits.length % 2 === 0) return { ok: false, reason: 'hex-coding' };
  const command = nibble(digits[0] ?? 0);
  if (command < 0) return { ok: false, reason: 'hex-coding' };
  const bytes = new Uint8Array((digits.length - 1) / 2);
  let sum = command;
  for (let i = 0; i < bytes.length; i++) {
    const hi = nibble(digits[1 + 2 * i] ?? 0);
    const lo = nibble(digits[2 + 2 * i] ?? 0);
    if (hi < 0 || lo < 0) return { ok: false, reason: 'hex-coding' };
    bytes[i] = (hi << 4) | lo;
    sum += bytes[i] ?? 0;
  }
  if ((sum & 0xff) !== HEX_CHECK) return { ok: false, reason: 'hex-checksum' };
  return { ok: true, frame: { command, payload: bytes.subarray(0, bytes.length - 1) } };
}

/** Encodes a frame with its checksum (for emulators and tests; also documents the rule). */
export function encodeHexFrame(command: number, payload: readonly number[]): string {
  let sum = command;
  for (const b of payload) sum += b;
  const check = (HEX_CHECK - sum) & 0xff;
  const hex = (b: number): string => b.toString(16).toUpperCase().padStart(2, '0');
  return `:${command.toString(16).toUpperCase()}${payload.map(hex).join('')}${hex(check)}\n`;
}
