import modbusSerial from 'modbus-serial';

/**
 * A Deep Sea Electronics controller on Modbus TCP (modbus-serial's ServerTCP), holding the GenComm
 * registers of hardware-facts §2.2. Registers not in the map answer "illegal data address", as a model
 * without them does.
 */
const ENGINE_RUNNING: ReadonlyArray<readonly [number, number]> = [
  [772, 1], // control mode: auto
  [1024, 310], // oil pressure, kPa
  [1025, 82], // coolant, °C
  [1026, 0x7fff], // oil temperature: not available (sentinel)
  [1027, 64], // fuel level, %
  [1028, 138], // charge alternator, 13.8 V
  [1029, 135], // engine battery, 13.5 V
  [1030, 1500], // RPM
  [1031, 500], // 50.0 Hz
  [1408, 3], // engine state: running
  [1536, 0],
  [1537, 2700], // total watts 2700
  [1558, 450], // load 45.0 %
  [1798, 0x0005],
  [1799, 0x7e40], // run time 0x0005_7e40 = 360 000 s = 100 h
];

/** Register n of the Named Alarm Conditions (page 154), counted from 1. */
export const namedAlarmRegister = (n: number): number => 39_424 + n;

/**
 * A DSE 7310 MKII (manufacturer 1, model 32840) running: its alarms are Named Alarm Conditions on page 154
 * (20 registers of four conditions, all "not active"); like the real one it has no page-8 alarm table.
 */
export const RUNNING_GENSET: ReadonlyMap<number, number> = new Map([
  [768, 1], // manufacturer: DSE
  [769, 32_840], // model: 7310 MKII
  [770, 0x0001],
  [771, 0xe240], // serial 123456
  ...ENGINE_RUNNING,
  [39_424, 80], // number of named alarm conditions
  ...Array.from({ length: 20 }, (_, i) => [namedAlarmRegister(i + 1), 0x1111] as const),
]);

/** A DSE 4620/4623 (model 4623) running: the legacy page-8 alarm table, eight alarms, none active. */
export const LEGACY_GENSET: ReadonlyMap<number, number> = new Map([
  [768, 1],
  [769, 4623],
  ...ENGINE_RUNNING,
  [2048, 8], // eight alarms in the page 8 table
  [2049, 0x1111],
  [2050, 0x1111], // all "not active"
]);

export interface DseEmulatorOptions {
  port: number;
  unitId?: number;
  registers?: ReadonlyMap<number, number>;
}

export class DseController {
  readonly registers: Map<number, number>;
  private server: InstanceType<typeof modbusSerial.ServerTCP> | undefined;
  requests = 0;

  constructor(private readonly opts: DseEmulatorOptions) {
    this.registers = new Map(opts.registers ?? RUNNING_GENSET);
  }

  async start(): Promise<void> {
    const vector = {
      getHoldingRegister: (addr: number): number => {
        this.requests++;
        const v = this.registers.get(addr);
        if (v === undefined) throw { modbusErrorCode: 0x02, msg: `no register ${addr}` };
        return v;
      },
    };
    const server = new modbusSerial.ServerTCP(vector, {
      host: '127.0.0.1',
      port: this.opts.port,
      unitID: this.opts.unitId ?? 1,
    });
    await new Promise<void>((resolve, reject) => {
      server.once('initialized', () => resolve());
      server.once('serverError', (err: Error) => reject(err));
    });
    server.on('socketError', () => undefined);
    this.server = server;
  }

  set(address: number, value: number): void {
    this.registers.set(address, value);
  }

  /** Pulls the plug: open connections are cut and nothing listens any more. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const sock of server.socks.keys()) sock.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
