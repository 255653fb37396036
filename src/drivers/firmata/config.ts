import { z } from 'zod';

/** Config of the Firmata board (zod only): an Arduino running StandardFirmata, shared by inputs and sign. */
const analogPin = () => z.number().int().min(0).max(7).describe('Analog input: 0 = A0 … 7 = A7.');
const vref = () =>
  z.number().min(1).max(5.5).default(5).describe('ADC reference voltage (measure the 5 V rail).');

const batteryVoltage = () =>
  z
    .strictObject({
      pin: analogPin().default(0),
      channel: z
        .string()
        .regex(/^[a-z][a-zA-Z0-9]*\.[a-z][a-zA-Z0-9]*$/, 'must be a channel name like battery.voltage')
        .default('battery.voltage')
        .describe(
          'Channel it feeds: battery.voltage, or e.g. generator.starterVoltage beside a VE.Direct monitor.',
        ),
      vref: vref(),
      rTop: z.number().positive().default(30_000).describe('Divider resistor battery → pin, ohms.'),
      rBottom: z.number().positive().default(7_500).describe('Divider resistor pin → ground, ohms.'),
    })
    .describe('A battery voltage through a resistor divider.');

/** Both analog thermometers report on temperature.<name>. */
const temperatureName = () =>
  z
    .string()
    .regex(/^[a-z][a-zA-Z0-9]*$/)
    .default('outdoor')
    .describe('temperature.<name>');

const thermistor = () =>
  z.strictObject({
    sensor: z.literal('thermistor').describe('NTC thermistor to ground, fixed resistor to Vref'),
    pin: analogPin().default(1),
    name: temperatureName(),
    beta: z.number().positive().default(3950).describe('Beta constant, K.'),
    r0: z.number().positive().default(10_000).describe('Resistance at t0C, ohms.'),
    t0C: z.number().default(25).describe('Reference temperature of r0, °C.'),
    rSeries: z.number().positive().default(10_000).describe('Fixed resistor, ohms.'),
  });

const tmp36 = () =>
  z.strictObject({
    sensor: z.literal('tmp36').describe('TMP36 analog temperature sensor'),
    pin: analogPin().default(1),
    name: temperatureName(),
    vref: vref(),
  });

const fuel = () =>
  z
    .strictObject({
      pin: analogPin().default(2),
      emptyRaw: z.number().int().min(0).max(1023).describe('ADC count with the tank empty.'),
      fullRaw: z.number().int().min(0).max(1023).describe('ADC count with the tank full.'),
    })
    .describe('generator.fuelLevel from a resistive sender, two-point calibration.');

export const firmataSchema = () =>
  z
    .strictObject({
      port: z.string().min(1).describe('Serial port of the board, e.g. /dev/pima-firmata (udev symlink).'),
      baudRate: z.number().int().min(9600).max(1_000_000).default(57_600).describe('StandardFirmata: 57600.'),
      noDataTimeoutSec: z
        .number()
        .min(1)
        .max(600)
        .default(6)
        .describe('No byte from the board this long: it is gone, reopen the port.'),
      heartbeatSec: z
        .number()
        .min(0.5)
        .max(60)
        .default(2)
        .describe('Version query sent this often as a keep-alive.'),
      reportEverySec: z
        .number()
        .min(1)
        .max(3600)
        .default(5)
        .describe('Analog readings are averaged over this.'),
      analog: z
        .strictObject({
          batteryVoltage: batteryVoltage().optional(),
          temperature: z.discriminatedUnion('sensor', [thermistor(), tmp36()]).optional(),
          fuel: fuel().optional(),
        })
        .prefault({})
        .describe('Analog inputs; each is optional.'),
    })
    .optional()
    .describe('Optional Arduino with StandardFirmata: analog inputs and the Firmata sign.');

export type FirmataConfig = NonNullable<z.output<ReturnType<typeof firmataSchema>>>;
export type FirmataAnalogConfig = FirmataConfig['analog'];
