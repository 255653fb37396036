import { z } from 'zod';

/**
 * Config of the GPIO driver family (zod only, no hardware imports). Pins are BCM numbers as printed on
 * pinout diagrams; the driver translates them to the kernel's sysfs numbers itself.
 */
export const bcmPin = () =>
  z.number().int().min(0).max(27).describe('BCM GPIO number (0..27 on the 40-pin header).');

const debounceMs = (dflt: number) =>
  z.number().int().min(0).max(5000).default(dflt).describe('A level must hold this long (ms) to count.');

export const gpioSettingsSchema = () =>
  z
    .strictObject({
      backend: z
        .enum(['onoff', 'sysfs'])
        .default('onoff')
        .describe('onoff: interrupts via epoll (the Pi); sysfs: plain file reads, polled (fallback, tests).'),
      sysfsRoot: z.string().min(1).default('/sys/class/gpio').describe('Where the GPIO sysfs tree is.'),
      pollMs: z
        .number()
        .int()
        .min(1)
        .max(1000)
        .default(10)
        .describe('Poll period of the sysfs backend (ms).'),
      retrySec: z
        .number()
        .min(1)
        .max(3600)
        .default(30)
        .describe('A pin that could not be opened is retried this often.'),
    })
    .prefault({})
    .describe('How GPIO pins are reached (all gpio drivers and the gpio sign).');

export const gpioMainsSchema = () =>
  z.strictObject({
    driver: z.literal('gpio').describe('gpio: an opto-isolated mains-present input'),
    pin: bcmPin(),
    activeLow: z.boolean().default(false).describe('true when the input reads low while mains is present.'),
    debounceMs: debounceMs(200),
  });

export const gpioContactSchema = () =>
  z.strictObject({
    driver: z.literal('gpio-contact').describe('gpio-contact: the generator running dry contact'),
    pin: bcmPin(),
    activeLow: z.boolean().default(false).describe('true when the input reads low while the generator runs.'),
    debounceMs: debounceMs(200),
    runHoursEverySec: z
      .number()
      .int()
      .min(10)
      .max(3600)
      .default(60)
      .describe('generator.runHours is logged this often while running (the most a power cut can lose).'),
  });

export const gpioBeamsSchema = () =>
  z.strictObject({
    driver: z.literal('gpio-beams').describe('gpio-beams: two IR beams, outside (A) and inside (B)'),
    outerPin: bcmPin(),
    innerPin: bcmPin(),
    activeLow: z
      .boolean()
      .default(true)
      .describe('true when a broken beam reads low (open-collector receivers).'),
    minBreakMs: z.number().int().min(0).max(1000).default(30).describe('Shorter breaks are noise.'),
    blockedFaultSec: z.number().min(0.5).max(600).default(5).describe('A beam broken this long is a fault.'),
  });

export const gpioButtonsSchema = () =>
  z.strictObject({
    driver: z.literal('gpio').describe('gpio: push buttons to ground, with pull-ups'),
    mode: bcmPin().optional().describe('Cycles the mode: auto → closed → auto.'),
    acknowledge: bcmPin().optional().describe('Acknowledges the active alarms.'),
    activeLow: z.boolean().default(true).describe('true when a pressed button reads low.'),
    debounceMs: debounceMs(50),
  });

export const gpioTamperSchema = () =>
  z.strictObject({
    driver: z.literal('gpio').describe('gpio: the enclosure lid switch'),
    pin: bcmPin(),
    activeLow: z.boolean().default(true).describe('true when the input reads low while the lid is open.'),
    debounceMs: debounceMs(200),
  });

export type GpioSettings = z.output<ReturnType<typeof gpioSettingsSchema>>;
export type GpioMainsConfig = z.output<ReturnType<typeof gpioMainsSchema>>;
export type GpioContactConfig = z.output<ReturnType<typeof gpioContactSchema>>;
export type GpioBeamsConfig = z.output<ReturnType<typeof gpioBeamsSchema>>;
export type GpioButtonsConfig = z.output<ReturnType<typeof gpioButtonsSchema>>;
export type GpioTamperConfig = z.output<ReturnType<typeof gpioTamperSchema>>;
