import { z } from 'zod';

/**
 * `hardware.generator: { driver: dse, ... }`: a Deep Sea Electronics controller (GenComm registers) over
 * Modbus RTU on RS-485 (`transport: rtu`, `port`) or Modbus TCP (`transport: tcp`, `host`).
 */
export const dseConfig = () =>
  z
    .strictObject({
      driver: z.literal('dse').describe('dse: Deep Sea Electronics generator controller over Modbus'),
      transport: z.enum(['rtu', 'tcp']).default('rtu').describe('rtu: RS-485 serial; tcp: Modbus TCP.'),
      port: z.string().min(1).optional().describe('rtu: the RS-485 adapter, e.g. /dev/ttyUSB1.'),
      baudRate: z
        .number()
        .int()
        .min(1200)
        .max(115_200)
        .default(9600)
        .describe('rtu: as set on the panel (8N1).'),
      host: z.string().min(1).optional().describe('tcp: the controller or gateway address.'),
      tcpPort: z.number().int().min(1).max(65_535).default(502).describe('tcp: Modbus TCP port.'),
      unitId: z.number().int().min(1).max(247).default(1).describe('Modbus slave id of the controller.'),
      intervalSec: z.number().min(1).max(3600).default(10).describe('The registers are polled this often.'),
      timeoutMs: z
        .number()
        .int()
        .min(100)
        .max(10_000)
        .default(1000)
        .describe('One request times out after this.'),
      ratedPowerW: z
        .number()
        .positive()
        .optional()
        .describe(
          'Generator rating; gives generator.load from total watts when the controller has no load %.',
        ),
    })
    .superRefine((c, ctx) => {
      if (c.transport === 'rtu' && !c.port) {
        ctx.addIssue({ code: 'custom', path: ['port'], message: 'transport rtu needs a serial port' });
      }
      if (c.transport === 'tcp' && !c.host) {
        ctx.addIssue({ code: 'custom', path: ['host'], message: 'transport tcp needs a host' });
      }
    });

export type DseConfig = z.output<ReturnType<typeof dseConfig>>;
