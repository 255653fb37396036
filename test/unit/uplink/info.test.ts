import { describe, expect, test } from 'vitest';
import { buildConfigSchema } from '../../../src/config/schema.js';
import { InfoMessage } from '../../../src/contract/info.js';
import { pointInfo } from '../../../src/uplink/build.js';
import { InfoPublisher } from '../../../src/uplink/info.js';

const T0 = Date.parse('2026-12-07T00:00:00.000Z');

describe('the retained info message (CONTRACT.md §6)', () => {
  test('from the config: the optional keys only when set, valid under the contract', () => {
    const full = buildConfigSchema().parse({
      point: {
        id: 'p1',
        name: 'Library',
        capacity: 70,
        location: { lat: 50.45, lon: 30.52 },
        address: 'Main 1',
        hours: '24/7',
        contact: '+380 44 000 0000',
      },
      rules: { fuelTankLitres: 120 },
    });
    const info = pointInfo(full);
    expect(info).toMatchObject({
      point: 'p1',
      name: 'Library',
      capacity: 70,
      location: { lat: 50.45, lon: 30.52 },
      address: 'Main 1',
      hours: '24/7',
      contact: '+380 44 000 0000',
      fuelTankLitres: 120,
    });
    const bare = pointInfo(buildConfigSchema().parse({ point: { id: 'p2' } }));
    expect(bare).not.toHaveProperty('location');
    expect(bare).not.toHaveProperty('address');
    expect(bare).not.toHaveProperty('fuelTankLitres');
    const message = new InfoPublisher('pima/v1/p1/info', info, T0).message();
    expect(message).toMatchObject({ topic: 'pima/v1/p1/info', retain: true, key: 'info' });
    expect(InfoMessage.safeParse(JSON.parse(String(message.payload))).success).toBe(true);
  });

  test('a capacity change (capacity.set) changes the info and its ts; the same capacity does not', () => {
    const p = new InfoPublisher('t', { name: 'x', capacity: 50 }, T0);
    expect(p.updateCapacity(50, T0 + 1000)).toBe(false);
    expect(JSON.parse(String(p.message().payload))).toEqual({
      name: 'x',
      capacity: 50,
      ts: new Date(T0).toISOString(),
    });
    expect(p.updateCapacity(80, T0 + 2000)).toBe(true);
    expect(JSON.parse(String(p.message().payload))).toEqual({
      name: 'x',
      capacity: 80,
      ts: new Date(T0 + 2000).toISOString(),
    });
  });
});
