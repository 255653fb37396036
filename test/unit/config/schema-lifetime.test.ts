import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { buildConfigSchema } from '../../../src/config/schema.js';

// The long-running service builds the config schema once to load its file; the ~1,600 zod objects must
// then be garbage (issue 18: idle RSS). zod keeps descriptions in a registry: it must not pin them.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function parsedAndDropped(): WeakRef<object> {
  const schema = buildConfigSchema();
  expect(schema.parse({ point: { id: 'p' } }).storage.commitIntervalMs).toBe(1000);
  return new WeakRef(schema);
}

describe('config schema lifetime', () => {
  it('is built afresh on each call', () => {
    expect(buildConfigSchema()).not.toBe(buildConfigSchema());
  });

  it('is collected once the caller drops it (no module or registry keeps it)', async () => {
    const ref = parsedAndDropped();
    for (let i = 0; i < 10 && ref.deref() !== undefined; i++) {
      await new Promise((r) => setImmediate(r)); // a WeakRef target survives the turn it was made in
      gc();
    }
    expect(ref.deref()).toBeUndefined();
  });
});
