import { z } from 'zod';

/** Config of the hardware sign outputs (zod only): lamps on GPIO and LEDs on the Firmata board. */
const bcm = () => z.number().int().min(0).max(27);
const lamp = (what: string) => bcm().optional().describe(`BCM pin of the ${what} lamp.`);
const indicator = (what: string) => bcm().optional().describe(`BCM pin of the ${what} service indicator.`);

export const gpioSignSchema = () =>
  z
    .strictObject({
      lamps: z
        .strictObject({
          OPEN: lamp('OPEN (bluish green)'),
          OPEN_LIMITED: lamp('OPEN_LIMITED (yellow)'),
          FULL: lamp('FULL (vermillion)'),
          STANDBY: lamp('STANDBY (blue)'),
          CLOSED: lamp('CLOSED (reddish purple)'),
        })
        .prefault({})
        .describe('One lamp per state; the lit one blinks in its state pattern.'),
      services: z
        .strictObject({
          heat: indicator('heat'),
          charging: indicator('charging'),
          water: indicator('water'),
          internet: indicator('internet'),
        })
        .prefault({})
        .describe('Lit while the service is available.'),
      uplinkPin: bcm().optional().describe('Technician indicator: lit = connected, blinking = buffering.'),
      activeLow: z.boolean().default(false).describe('true for relay boards that switch on a low output.'),
    })
    .prefault({})
    .describe('The lamp box on GPIO outputs (through a MOSFET or relay board).');

const pwm = () => z.number().int().min(0).max(21);

export const firmataSignSchema = () =>
  z
    .strictObject({
      rgb: z
        .strictObject({
          red: pwm().default(9).describe('PWM pin of the red channel.'),
          green: pwm().default(10).describe('PWM pin of the green channel.'),
          blue: pwm().default(11).describe('PWM pin of the blue channel.'),
          commonAnode: z.boolean().default(false).describe('true for a common-anode RGB LED.'),
        })
        .optional()
        .describe('An RGB LED in the colour of the state, blinking in its pattern.'),
      leds: z
        .strictObject({
          OPEN: pwm().optional().describe('Digital pin of the OPEN LED.'),
          OPEN_LIMITED: pwm().optional().describe('Digital pin of the OPEN_LIMITED LED.'),
          FULL: pwm().optional().describe('Digital pin of the FULL LED.'),
          STANDBY: pwm().optional().describe('Digital pin of the STANDBY LED.'),
          CLOSED: pwm().optional().describe('Digital pin of the CLOSED LED.'),
        })
        .prefault({})
        .describe('One LED per state on digital pins of the board.'),
    })
    .prefault({ rgb: {} })
    .describe('LEDs on the Firmata board (hardware.firmata names the port).');

export const lampTestSchema = () =>
  z
    .strictObject({
      atStart: z.boolean().default(true).describe('Every lamp on in turn when the service starts.'),
      dailyAt: z
        .string()
        .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM')
        .nullable()
        .default('12:00')
        .describe('Daily lamp test, local time of the point (HH:MM); null = never.'),
      stepMs: z.number().int().min(50).max(5000).default(200).describe('How long each lamp is lit.'),
    })
    .prefault({})
    .describe('Lamp test of the hardware sign outputs.');

export type GpioSignConfig = z.output<ReturnType<typeof gpioSignSchema>>;
export type FirmataSignConfig = z.output<ReturnType<typeof firmataSignSchema>>;
export type LampTestConfig = z.output<ReturnType<typeof lampTestSchema>>;

interface SignHardwareView {
  hardware: { firmata?: unknown };
  sign: { outputs: readonly string[]; gpio: GpioSignConfig };
}

/** Cross-section checks: the Firmata sign needs the board's port; the GPIO sign needs at least one lamp. */
export function checkSignHardware(cfg: SignHardwareView, ctx: z.RefinementCtx): void {
  if (cfg.sign.outputs.includes('firmata') && !cfg.hardware.firmata) {
    ctx.addIssue({
      code: 'custom',
      path: ['sign', 'outputs'],
      message: 'the firmata output needs hardware.firmata (the port of the board)',
    });
  }
  const g = cfg.sign.gpio;
  const pins = [...Object.values(g.lamps), ...Object.values(g.services), g.uplinkPin].filter(
    (p) => p !== undefined,
  );
  if (cfg.sign.outputs.includes('gpio') && pins.length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['sign', 'gpio', 'lamps'],
      message: 'the gpio output needs at least one lamp pin',
    });
  }
  if (new Set(pins).size !== pins.length) {
    ctx.addIssue({ code: 'custom', path: ['sign', 'gpio'], message: 'a BCM pin is used for two lamps' });
  }
}
