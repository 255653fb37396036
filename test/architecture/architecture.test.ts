import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkArchitecture, importsOf, type SourceFile, type Violation } from './rules.js';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const SOURCES: SourceFile[] = walk('src')
  .filter((p) => p.endsWith('.ts'))
  .map((path) => ({ path: path.split('\\\\').join('/'), text: readFileSync(path, 'utf8') }));

/** The real sources plus one planted file: what the check says about the planted one. */
function plant(path: string, text: string): Violation[] {
  return checkArchitecture([...SOURCES, { path, text }]).filter((v) => v.file === path);
}

describe('the layer rules of docs/architecture.md hold in src/', () => {
  it('finds no violation in the sources as they are', () => {
    expect(SOURCES.length).toBeGreaterThan(100);
    expect(checkArchitecture(SOURCES)).toEqual([]);
  });

  it('reads static, type-only, re-exported and dynamic imports', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../b.js';",
      "export { c } from './c.js';",
      "export * from './d.js';",
      "import './e.js';",
      "const f = await import('mqtt');",
      "import {\n  g,\n  h,\n} from 'node:fs';",
    ].join('\n');
    expect(importsOf(text)).toEqual(['./a.js', '../b.js', './c.js', './d.js', './e.js', 'mqtt', 'node:fs']);
  });
});

describe('each rule fails on a planted violation', () => {
  it('hardware libraries only in src/drivers', () => {
    expect(plant('src/pipeline/planted.ts', "import { SerialPort } from 'serialport';\n")).toEqual([
      expect.objectContaining({
        rule: 'library',
        message: expect.stringMatching(/hardware library belongs in src\/drivers/),
      }),
    ]);
    expect(plant('src/sign/outputs/planted.ts', "import { Gpio } from 'onoff';\n")[0]?.rule).toBe('library');
    expect(plant('src/drivers/gpio/planted.ts', "import { Gpio } from 'onoff';\n")).toEqual([]);
  });

  it('SQLite only in src/store (and the hub storage)', () => {
    expect(plant('src/web/planted.ts', "import Database from 'better-sqlite3';\n")[0]).toMatchObject({
      rule: 'library',
      message: expect.stringMatching(/SQLite belongs in src\/store\//),
    });
    expect(plant('src/store/planted.ts', "import Database from 'better-sqlite3';\n")).toEqual([]);
  });

  it('MQTT only in src/uplink (and the hub ingest)', () => {
    expect(plant('src/pipeline/planted.ts', "import { connect } from 'mqtt';\n")[0]?.rule).toBe('library');
    expect(plant('src/web/planted.ts', "const m = await import('mqtt');\n")[0]?.rule).toBe('library');
    expect(plant('src/uplink/planted.ts', "import { connect } from 'mqtt';\n")).toEqual([]);
  });

  it('pure folders read no clock, start no timer and do no I/O', () => {
    const pure = (text: string) => plant('src/point/planted.ts', text).map((v) => [v.rule, v.message]);
    expect(pure('export const t = () => Date.now();\n')).toEqual([
      ['pure', 'pure code reads the clock (Date.now)'],
    ]);
    expect(pure('export const t = () => new Date();\n')).toEqual([
      ['pure', 'pure code reads the clock (new Date())'],
    ]);
    expect(pure('setTimeout(() => undefined, 5);\n')).toEqual([['pure', 'pure code starts a timer']]);
    expect(pure("import { readFileSync } from 'node:fs';\n")).toEqual([
      ['pure', 'pure code imports node:fs (I/O)'],
    ]);
    expect(pure('export const r = Math.random();\n')).toEqual([['pure', 'pure code draws randomness']]);
    // time as an input, and prose about the clock, are fine
    expect(
      pure('// never Date.now() here\nexport const iso = (ms: number) => new Date(ms).toISOString();\n'),
    ).toEqual([]);
    expect(plant('src/contract/planted.ts', 'export const n = performance.now();\n')[0]?.rule).toBe('pure');
  });

  it('a lower layer never imports a higher one', () => {
    expect(
      plant('src/uplink/planted.ts', "import { CommandLog } from '../pipeline/command-log.js';\n"),
    ).toEqual([
      {
        file: 'src/uplink/planted.ts',
        rule: 'layer',
        message: 'src/uplink imports ../pipeline/command-log.js: src/pipeline is a higher layer',
      },
    ]);
    expect(
      plant('src/point/planted.ts', "import type { LogStore } from '../store/types.js';\n")[0]?.rule,
    ).toBe('layer');
    expect(
      plant('src/contract/planted.ts', "import type { Mode } from '../point/types.js';\n")[0]?.rule,
    ).toBe('layer');
    expect(plant('src/pipeline/planted.ts', "import type { LogStore } from '../store/types.js';\n")).toEqual(
      [],
    );
  });

  it('a new folder must be given a layer', () => {
    expect(plant('src/gadgets/planted.ts', 'export const x = 1;\n')).toEqual([
      { file: 'src/gadgets/planted.ts', rule: 'layer', message: 'src/gadgets is in no layer of the rules' },
    ]);
  });

  it('time outside pure code comes from the injected clock', () => {
    expect(plant('src/web/planted.ts', 'export const now = () => Date.now();\n')).toEqual([
      {
        file: 'src/web/planted.ts',
        rule: 'clock',
        message: 'reads Date.now(): take the time from the injected Clock',
      },
    ]);
  });
});
