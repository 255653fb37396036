import { classifyDs18b20, type FamilyVerdict } from './family.js';

/**
 * What the kernel's w1_therm driver prints, parsed. Pure: file text in, a temperature or a fault out.
 *
 * `w1_slave`: `xx xx xx xx xx xx xx xx xx : crc=xx YES` then `xx … xx t=23125` (millidegrees). Newer
 * kernels print yes/no in lower case, and return an empty read instead of a NO line when the CRC keeps
 * failing. `temperature` (kernel ≥ 5.9): just `23125`.
 */
export type W1Result =
  | {
      ok: true;
      celsius: number;
      /** exactly 85 °C: the power-on value of the scratchpad */
      powerOn: boolean;
      /** A DS18B20 (family 28) read through w1_slave: which maker's chip its scratchpad shows. */
      family?: FamilyVerdict;
    }
  | { ok: false; fault: string /** worth an immediate second read */; transient: boolean };

/** DS18B20 range; anything outside is a bad read, not a temperature. */
const MIN_C = -55;
const MAX_C = 125;
const POWER_ON_MILLI = 85_000;

const LINE1 = /^((?:[0-9a-f]{2} ){9}): crc=([0-9a-f]{2}) (yes|no)$/i;
const LINE2 = /^((?:[0-9a-f]{2} ){9})t=(-?\d+)$/i;

/** Dallas/Maxim CRC-8 (polynomial x^8+x^5+x^4+1, reflected 0x8C), as the sensor computes it. */
export function dallasCrc8(bytes: readonly number[]): number {
  let crc = 0;
  for (const byte of bytes) {
    let b = byte;
    for (let i = 0; i < 8; i++) {
      const mix = (crc ^ b) & 1;
      crc >>= 1;
      if (mix) crc ^= 0x8c;
      b >>= 1;
    }
  }
  return crc;
}

const fault = (text: string, transient = false): W1Result => ({ ok: false, fault: text, transient });

function fromMilli(milli: number): W1Result {
  const celsius = milli / 1000;
  if (!Number.isFinite(celsius) || celsius < MIN_C || celsius > MAX_C) {
    return fault(`${celsius} °C is outside the sensor's range`);
  }
  return { ok: true, celsius, powerOn: milli === POWER_ON_MILLI };
}

/** `temperature`: one integer of millidegrees. */
export function parseTemperatureFile(text: string): W1Result {
  const t = text.trim();
  if (t === '') return fault('empty read (CRC failure or conversion in progress)', true);
  if (!/^-?\d{1,7}$/.test(t)) return fault(`unreadable temperature file: ${JSON.stringify(t.slice(0, 40))}`);
  return fromMilli(Number(t));
}

/**
 * `w1_slave` of the sensor with w1 id `id` (e.g. 28-0316a2795aff; its first two hex digits are the 1-Wire
 * family). A reading is taken on its CRC and the sensor's physical range, whatever the reserved bytes
 * hold: counterfeit DS18B20s (family.ts) fill them differently and still measure.
 */
export function parseW1Slave(text: string, id: string): W1Result {
  if (text.trim() === '') return fault('empty read (CRC failure or conversion in progress)', true);
  const [first = '', second = ''] = text.trim().split('\n');
  const l1 = LINE1.exec(first.trim());
  const l2 = LINE2.exec(second.trim());
  if (!l1 || !l2) return fault(`unreadable w1_slave: ${JSON.stringify(text.slice(0, 60))}`);
  const bytes = (l1[1] ?? '')
    .trim()
    .split(' ')
    .map((h) => Number.parseInt(h, 16));
  if ((l1[3] ?? '').toLowerCase() === 'no') return fault(`CRC error (crc=${l1[2]} NO)`, true);
  if (bytes.every((b) => b === 0)) return fault('all-zero scratchpad (data line shorted or stuck low)');
  if (dallasCrc8(bytes.slice(0, 8)) !== bytes[8]) return fault('scratchpad CRC does not match');
  const result = fromMilli(Number(l2[2]));
  if (!result.ok || id.slice(0, 2).toLowerCase() !== '28') return result;
  return { ...result, family: classifyDs18b20(bytes, id) };
}
