import { z } from 'zod';

/**
 * The `hardware` section: one entry per device role, each a union over the drivers that can fill it.
 * Each real driver family keeps its own config schema in its folder (e.g. src/drivers/vedirect/config.ts,
 * zod only, no hardware imports) and is added to the union of its role here.
 */
export const simDriver = z.strictObject({
  driver: z.literal('sim').describe('sim: a simulated device (see simulation)'),
});

export const hardwareSchema = z
  .strictObject({
    battery: simDriver.prefault({ driver: 'sim' }).describe('Battery monitor.'),
    mains: simDriver.prefault({ driver: 'sim' }).describe('Mains-present input.'),
    generator: simDriver.prefault({ driver: 'sim' }).describe('Generator: running, fuel, load.'),
    temperature: simDriver.prefault({ driver: 'sim' }).describe('Indoor and outdoor thermometers.'),
    door: simDriver.prefault({ driver: 'sim' }).describe('Door counter.'),
  })
  .prefault({})
  .describe('Where each reading comes from.');
