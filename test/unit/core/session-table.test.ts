import { describe, expect, it } from 'vitest';
import { pruneSessions } from '../../../src/core/session-table.js';

describe('pruneSessions', () => {
  it('drops expired sessions, then the oldest until one more fits', () => {
    const m = new Map<string, { expiresAt: number }>([
      ['a', { expiresAt: 50 }],
      ['b', { expiresAt: 500 }],
      ['c', { expiresAt: 600 }],
      ['d', { expiresAt: 700 }],
    ]);
    pruneSessions(m, 100, 3);
    expect([...m.keys()]).toEqual(['c', 'd']);
  });

  it('keeps a table below its bound untouched but for expired ones', () => {
    const m = new Map([['x', { expiresAt: 200 }]]);
    pruneSessions(m, 100, 10);
    expect([...m.keys()]).toEqual(['x']);
  });
});
