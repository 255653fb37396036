import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ANNOUNCE_MAX_SEC,
  ANNOUNCE_MIN_SEC,
  CAPACITY_MAX,
  OCCUPANCY_MAX,
  OPERATOR_COMMAND_NAMES,
} from '../../../src/contract/commands.js';

const doc = readFileSync('docs/commands.md', 'utf8');

describe('docs/commands.md documents every operator input and its limits', () => {
  it('has a row per command of the contract', () => {
    const rows = [...doc.matchAll(/^\| `([a-z.]+)` \|/gm)].map((m) => m[1]);
    expect(rows.sort()).toEqual([...OPERATOR_COMMAND_NAMES].sort());
  });

  it('states the limits the schema enforces', () => {
    for (const n of [OCCUPANCY_MAX, CAPACITY_MAX, ANNOUNCE_MIN_SEC, ANNOUNCE_MAX_SEC])
      expect(doc).toContain(String(n));
    expect(doc).toContain('twice the capacity');
  });
});
