/**
 * Turning raw ADC counts into physical values, pure. `raw` is 0..`full` (1023 for a 10-bit Nano).
 * A result is `null` with a reason when the input cannot be a real measurement (open or shorted wire).
 */
export type Calibrated = { ok: true; value: number } | { ok: false; reason: string };

export interface DividerCalibration {
  kind: 'divider';
  /** ADC reference voltage (5.0 on a Nano on USB; measure it for accuracy). */
  vref: number;
  /** Resistor from the battery to the ADC pin, ohms. */
  rTop: number;
  /** Resistor from the ADC pin to ground, ohms. */
  rBottom: number;
}

export interface ThermistorCalibration {
  kind: 'thermistor';
  /** NTC thermistor from the ADC pin to ground, fixed resistor from the pin to Vref. */
  beta: number;
  r0: number;
  t0C: number;
  rSeries: number;
}

export interface Tmp36Calibration {
  kind: 'tmp36';
  vref: number;
}

export interface TwoPointCalibration {
  kind: 'two-point';
  /** Raw count at the empty mark and at the full mark (either order: senders rise or fall). */
  emptyRaw: number;
  fullRaw: number;
}

export type Calibration = DividerCalibration | ThermistorCalibration | Tmp36Calibration | TwoPointCalibration;

const KELVIN = 273.15;

export function calibrate(raw: number, full: number, c: Calibration): Calibrated {
  if (!Number.isFinite(raw) || raw < 0 || raw > full)
    return { ok: false, reason: `raw value ${raw} out of 0..${full}` };
  switch (c.kind) {
    case 'divider':
      return { ok: true, value: (raw / full) * c.vref * ((c.rTop + c.rBottom) / c.rBottom) };
    case 'tmp36':
      return { ok: true, value: ((raw / full) * c.vref - 0.5) * 100 };
    case 'thermistor':
      return thermistor(raw, full, c);
    case 'two-point':
      return twoPoint(raw, c);
  }
}

function thermistor(raw: number, full: number, c: ThermistorCalibration): Calibrated {
  if (raw <= 0) return { ok: false, reason: 'thermistor shorted (reads 0)' };
  if (raw >= full) return { ok: false, reason: 'thermistor open circuit (reads full scale)' };
  const r = (c.rSeries * raw) / (full - raw);
  const invT = 1 / (c.t0C + KELVIN) + Math.log(r / c.r0) / c.beta;
  return { ok: true, value: 1 / invT - KELVIN };
}

function twoPoint(raw: number, c: TwoPointCalibration): Calibrated {
  const span = c.fullRaw - c.emptyRaw;
  if (span === 0) return { ok: false, reason: 'empty and full marks are the same' };
  const pct = ((raw - c.emptyRaw) / span) * 100;
  // a sender a little past its marks is normal; far past them it is a broken wire
  if (pct < -10 || pct > 110)
    return { ok: false, reason: `sender reads ${raw}, outside its marks (wire broken?)` };
  return { ok: true, value: Math.min(100, Math.max(0, pct)) };
}
