import { afterEach, describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../../src/core/logger.js';
import { BacklogGate } from '../../../src/uplink/backlog-gate.js';
import { Drain } from '../../../src/uplink/drain.js';
import { LinkState } from '../../../src/uplink/link-state.js';
import { pointTopics } from '../../../src/uplink/topics.js';
import { useTempLogs } from '../store/temp-log.js';

const logs = useTempLogs();
const gates: BacklogGate[] = [];
afterEach(() => {
  for (const g of gates.splice(0)) g.close();
});

/** A gate over a real log's drain, on a clock the test moves; `random` fixed at 0.5. */
function gateOf(startJitterMs: number, maxSpreadMs: number) {
  const logger = new MemoryLogger();
  const drain = new Drain({
    outbox: logs.open(),
    pointId: 'p-1',
    topics: pointTopics('pima/v1', 'p-1'),
    maxRecords: 100,
    codec: 'none',
    markIntervalMs: 0,
    logger,
    mqtt5: () => true,
    linkUp: () => true,
    onDelivered: () => undefined,
    onRefused: () => undefined,
  });
  drain.reset();
  const clock = { now: 1_000 };
  const gate = new BacklogGate({
    drain,
    budget: undefined,
    byteBudgetPerHour: undefined,
    batchMaxBytes: 65_536,
    maximumPacketSize: 1 << 20,
    startJitterMs,
    maxSpreadMs,
    headStartBytes: 16_384,
    reconnectMinMs: 1000,
    reconnectMaxMs: 30_000,
    random: () => 0.5,
    monotonic: () => clock.now,
    link: new LinkState(logger),
    open: () => true,
    pump: () => undefined,
  });
  gates.push(gate);
  gate.begin();
  return { gate, clock };
}

describe('the drain start and the fleet hint', () => {
  it('follows a hint longer than its own jitter, up to maxSpreadMs', () => {
    const { gate, clock } = gateOf(10_000, 120_000);
    expect(gate.awaitingHint).toBe(true);
    expect(gate.hinted(60_000)).toBe(30_000);
    clock.now += 29_999;
    expect(gate.allowance()).toBe(0);
    clock.now += 1;
    expect(gate.allowance()).toBe(Number.POSITIVE_INFINITY);
    expect(gate.hinted(0)).toBeUndefined(); // only the first decision counts
  });

  it('caps a hint at maxSpreadMs', () => {
    expect(gateOf(10_000, 120_000).gate.hinted(600_000)).toBe(60_000);
    expect(gateOf(10_000, 5_000).gate.hinted(60_000)).toBe(2_500);
  });

  it('starts at once on a hint of 0 (a lone point), and uses its own jitter without a hint', () => {
    const lone = gateOf(10_000, 120_000);
    expect(lone.gate.hinted(0)).toBe(0);
    expect(lone.gate.allowance()).toBe(Number.POSITIVE_INFINITY);
    expect(gateOf(10_000, 120_000).gate.hinted(undefined)).toBe(5_000);
  });

  it('never waits for a hint with no start jitter configured', () => {
    const { gate } = gateOf(0, 120_000);
    expect(gate.awaitingHint).toBe(false);
    expect(gate.allowance()).toBe(Number.POSITIVE_INFINITY);
  });
});
