import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidChannelName } from '../../src/core/readings.js';
import type { Driver } from '../../src/drivers/interfaces.js';
import { Cleanups } from './cleanups.js';
import { RecordingSink } from './recording-sink.js';
import { until } from './until.js';

/**
 * The Driver contract (src/drivers/interfaces.ts), one suite for every device family, run against its
 * emulator or fixture and, when a PIMA_TEST_* variable names real hardware, against that.
 *
 * What every driver must do:
 * - its constructor does no I/O: the device sees nothing until start();
 * - after start(), readings arrive only on valid channel names it declares, as finite numbers or null
 *   (never NaN, never Infinity) and plausible for the channel; health is reported and becomes ok;
 * - health is reported when it changes: never the same health and message twice in a row;
 * - an emulator's or fixture's known values arrive as they are (nothing made up);
 * - when its device is unplugged or goes silent, health becomes stale or fault and each channel it was
 *   reporting gets null (not its last value), with a message naming the cause; when the device returns,
 *   health is ok and the returned device's known values arrive;
 * - stop() is safe twice, and nothing is delivered after stop().
 * Timestamps are not the driver's: DriverSink carries none, the service stamps readings with its clock.
 */
export interface ContractSubject {
  driver: Driver;
  /** The channels the driver declares (its family's canonical names). */
  declares(channel: string): boolean;
  /** I/O the device or fixture has seen from the driver (opens, reads, requests): 0 before start(). */
  io(): number;
  /** Moves a manual clock on; called on every poll, so drivers scheduled on the service clock run. */
  pump?(): void;
  /** Takes the device away (unplug, silence) and brings it back; omitted where there is no device. */
  device?: {
    unplug(): Promise<void>;
    replug(): Promise<void>;
    /** What the returned device sends, when it differs from `expected` (proves the values are new). */
    expectedAfterReplug?: Readonly<Record<string, number>>;
  };
  /** What the emulator or fixture is known to send, checked after start() and again after replug. */
  expected?: Readonly<Record<string, number>>;
  /** What the first stale/fault report after an unplug must say (the cause, for the technician). */
  lostMessage?: RegExp;
  /** A family's range check, e.g. a battery voltage between 8 and 70 V (what real hardware is held to). */
  plausible?(channel: string, value: number): boolean;
  /** Real ms within which a running driver would have delivered something (for "nothing after stop"). */
  quietMs: number;
}

export interface ContractOptions {
  /** Why unplug/replug is not checked (e.g. a simulated device has nothing to unplug); required to omit it. */
  noDevice?: string;
  timeoutMs?: number;
}

export function describeDriverContract(
  name: string,
  makeSubject: (cleanups: Cleanups) => Promise<ContractSubject>,
  opts: ContractOptions = {},
): void {
  const timeout = opts.timeoutMs ?? 30_000;
  describe(`Driver contract: ${name}`, () => {
    const cleanups = new Cleanups();
    const sink = new RecordingSink();
    let s: ContractSubject;
    const poll = <T>(probe: () => T | undefined | false, what: string): Promise<T> =>
      until(
        () => {
          s.pump?.();
          return probe();
        },
        what,
        timeout,
      );

    const latest = (c: string) => sink.readings.filter((r) => r.channel === c).at(-1)?.value;
    const expectKnownValues = async (known = s.expected ?? {}): Promise<void> => {
      const channels = Object.keys(known);
      await poll(() => channels.every((c) => typeof latest(c) === 'number'), `values on ${channels}`);
      expect(Object.fromEntries(channels.map((c) => [c, latest(c)]))).toEqual(known);
    };

    beforeAll(async () => {
      s = await makeSubject(cleanups);
    }, 60_000);
    afterAll(async () => {
      await s?.driver.stop();
      await cleanups.run();
    }, 60_000);

    it('does no I/O before start()', () => {
      expect(s.io()).toBe(0);
      expect(sink.readings).toEqual([]);
    });

    it(
      'after start(): health becomes ok; readings on declared channels, finite numbers or null',
      async () => {
        await s.driver.start(sink);
        await poll(() => sink.healths.length > 0, 'a health report');
        await poll(() => sink.healths.some((h) => h.health === 'ok'), 'health ok');
        await poll(() => sink.readings.some((r) => r.value !== null), 'a reading with a value');
        await poll(() => s.io() > 0, 'I/O with the device after start()');
        await expectKnownValues();
        for (const r of sink.readings) {
          expect(isValidChannelName(r.channel), r.channel).toBe(true);
          expect(s.declares(r.channel), `${r.channel} is declared`).toBe(true);
          if (r.value === null) continue;
          expect(Number.isFinite(r.value), `${r.channel}=${r.value}`).toBe(true);
          if (s.plausible)
            expect(s.plausible(r.channel, r.value), `${r.channel}=${r.value} plausible`).toBe(true);
        }
      },
      timeout * 2,
    );

    // Only a subject with a device to unplug has this test; the others say why in `noDevice`.
    if (opts.noDevice === undefined)
      it(
        'unplugged: stale/fault and null readings, then recovers',
        async () => {
          const device = s.device;
          if (!device) throw new Error('a subject with a device must give unplug/replug (or noDevice: why)');
          const live = new Set(sink.readings.filter((r) => r.value !== null).map((r) => r.channel));
          const h0 = sink.healths.length;
          const r0 = sink.readings.length;
          await device.unplug();
          const lost = await poll(
            () => sink.healths.slice(h0).find((h) => h.health === 'stale' || h.health === 'fault'),
            'health stale or fault',
          );
          expect(lost.message).toMatch(s.lostMessage ?? /\S/);
          const since = (from: number, c: string) =>
            sink.readings
              .slice(from)
              .filter((r) => r.channel === c)
              .map((r) => r.value);
          await poll(
            () => [...live].every((c) => since(r0, c).includes(null)),
            'a null on every live channel',
          );
          // values already on the wire may still land before the null; after it only nulls until replug
          for (const c of live) {
            const vs = since(r0, c);
            expect(
              vs.slice(vs.indexOf(null)).every((v) => v === null),
              `${c} after its null: ${vs}`,
            ).toBe(true);
          }
          const h1 = sink.healths.length;
          const r1 = sink.readings.length;
          await device.replug();
          await poll(() => sink.healths.slice(h1).some((h) => h.health === 'ok'), 'health ok after replug');
          await poll(() => sink.readings.slice(r1).some((r) => r.value !== null), 'values after replug');
          await expectKnownValues(device.expectedAfterReplug);
        },
        timeout * 3,
      );

    it(
      'stop() is safe twice and nothing is delivered after it',
      async () => {
        await s.driver.stop();
        await s.driver.stop();
        const n = sink.readings.length;
        const p = sink.passages.length;
        const deadline = Date.now() + s.quietMs;
        // absence cannot be polled for: keep the device and clock going for the driver's own period
        while (Date.now() < deadline) {
          s.pump?.();
          await new Promise((r) => setTimeout(r, 50));
        }
        expect(sink.readings.length).toBe(n);
        expect(sink.passages.length).toBe(p);
      },
      timeout,
    );

    it('reported health only when it changed (no report repeated as it was)', () => {
      const last = new Map<string, string>();
      for (const h of sink.healths) {
        const key = `${h.health}: ${h.message}`;
        expect(last.get(h.driver), `${h.driver} repeated ${key}`).not.toBe(key);
        last.set(h.driver, key);
      }
    });
  });
}
