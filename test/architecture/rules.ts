import { posix } from 'node:path';

/**
 * The layer rules of docs/architecture.md as a check over source text: which folder may import which
 * library and which other folder, and which folders must stay pure (no clock, no timers, no I/O).
 * Pure: it takes file paths and contents and returns the violations, so a test can plant one.
 */

export interface SourceFile {
  /** Relative to the repository, with `/`: `src/point/model.ts`. */
  path: string;
  text: string;
}

export interface Violation {
  file: string;
  rule: 'library' | 'layer' | 'pure' | 'clock';
  message: string;
}

/** Libraries that touch the outside world, and the folders that may import them. */
export const LIBRARY_HOMES: ReadonlyArray<{
  what: string;
  packages: readonly string[];
  homes: readonly string[];
}> = [
  {
    what: 'hardware library',
    packages: ['serialport', '@serialport/', 'onoff', 'johnny-five', 'firmata-io', 'modbus-serial', 'epoll'],
    homes: ['src/drivers/'],
  },
  { what: 'SQLite', packages: ['better-sqlite3'], homes: ['src/store/', 'src/hub/storage/'] },
  { what: 'PostgreSQL', packages: ['pg'], homes: ['src/hub/storage/'] },
  { what: 'MQTT', packages: ['mqtt'], homes: ['src/uplink/', 'src/hub/ingest/'] },
];

/**
 * Layers, lowest first: a module may import its own layer and those below, never one above. A folder
 * not listed is an error of its own (the rule must say where new code sits).
 */
export const LAYERS: ReadonlyArray<readonly string[]> = [
  // the clock, events, readings, errors; the start/stop order of components (src/app.ts)
  ['core', 'app'],
  ['contract'],
  // the config schema, and its parts kept next to what they configure (`config.ts`, `*-config.ts`)
  ['config'],
  // the point's logic: pure, or nearly (the schedule's cron timers go through the clock)
  ['point', 'sign', 'schedule'],
  // adapters to the outside: hardware, the log, the broker, the machine, the sign's outputs
  ['drivers', 'sign/outputs', 'store', 'uplink', 'system'],
  // running the point, and showing it
  ['pipeline', 'web'],
  // composition roots, the programs, and generated documents (the operator card)
  ['hub', 'cli', 'compose', 'main', 'heap-flags', 'docs'],
];

/** Pure code: no clock, no timers, no randomness, no I/O. Files or folders (ending in `/`). */
export const PURE: readonly string[] = [
  'src/core/events.ts',
  'src/core/readings.ts',
  'src/contract/',
  'src/point/',
  'src/sign/pattern.ts',
  'src/schedule/rules.ts',
  'src/uplink/command-schemas.ts',
  'src/uplink/encode.ts',
  'src/drivers/vedirect/parser.ts',
];

const IMPURE_CALLS: ReadonlyArray<[RegExp, string]> = [
  [/\bDate\.now\s*\(/, 'reads the clock (Date.now)'],
  [/\bnew Date\(\s*\)/, 'reads the clock (new Date())'],
  [/\bperformance\.now\s*\(/, 'reads the clock (performance.now)'],
  [/\b(setTimeout|setInterval|setImmediate)\s*\(/, 'starts a timer'],
  [/\bMath\.random\s*\(/, 'draws randomness'],
  [/\bprocess\./, 'touches the process'],
];

const IO_MODULES =
  /^(node:)?(fs|fs\/promises|net|http|https|http2|dgram|child_process|os|tls|dns|worker_threads|cluster|readline)$/;

/** Where time may be read directly: the clock itself and the composition roots that build clocks. */
export const CLOCK_HOMES: readonly string[] = [
  'src/core/clock.ts',
  'src/main.ts',
  'src/hub/main.ts',
  'src/cli/process-io.ts',
  // Known exceptions, each real time on purpose and not yet given a clock (take one up, shrink this):
  // the terminal sign's blink phase is wall-clock animation
  'src/sign/terminal.ts',
  // `sign dark` waits for the board with a real deadline, from the CLI
  'src/sign/outputs/darken-firmata.ts',
  // a new log's created_at and a boot's first-seen time: the store has no clock of its own yet
  'src/store/migrations.ts',
  'src/store/appends.ts',
  // a fallback boot id when /proc has none
  'src/system/boot-info.ts',
  // the hub's SQLite busy wait
  'src/hub/storage/sqlite.ts',
];

/** Every module specifier a file imports or re-exports (static and dynamic). */
export function importsOf(text: string): string[] {
  const out: string[] = [];
  const re =
    /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;
  for (const m of text.matchAll(re)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec) out.push(spec);
  }
  return out;
}

/**
 * `src/point/model.ts` → `point`; `src/compose.ts` → `compose`; `src/sign/outputs/x.ts` → `sign/outputs`;
 * a config part next to an adapter (`src/drivers/gpio/config.ts`, `src/system/internet-probe-config.ts`)
 * → `config`.
 */
export function moduleOf(path: string): string | undefined {
  if (/^src\/(?:drivers|system|sign)\/(?:.+\/)?(?:[\w-]+-)?config\.ts$/.test(path)) return 'config';
  if (path.startsWith('src/sign/outputs/')) return 'sign/outputs';
  const m = /^src\/([^/]+?)(?:\.ts|\/)/.exec(path);
  return m?.[1];
}

function layerOf(module: string): number {
  return LAYERS.findIndex((l) => l.includes(module));
}

const inAny = (path: string, places: readonly string[]): boolean =>
  places.some((p) => (p.endsWith('/') ? path.startsWith(p) : path === p));

/** Code without comments or string contents, so a rule is not tripped by prose about it. */
export function codeOnly(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/(^|[^:\\])\/\/.*$/gm, '$1')
    .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g, "''");
}

export function checkArchitecture(files: readonly SourceFile[]): Violation[] {
  const violations: Violation[] = [];
  for (const f of files) {
    if (!f.path.startsWith('src/') || !f.path.endsWith('.ts')) continue;
    const from = moduleOf(f.path);
    if (from === undefined) continue;
    const fromLayer = layerOf(from);
    if (fromLayer < 0) {
      violations.push({ file: f.path, rule: 'layer', message: `src/${from} is in no layer of the rules` });
    }
    const pure = inAny(f.path, PURE);
    for (const spec of importsOf(f.text)) {
      if (spec.startsWith('.')) {
        const target = posix.normalize(posix.join(posix.dirname(f.path), spec)).replace(/\.js$/, '.ts');
        const to = moduleOf(target);
        if (to === undefined || to === from) continue;
        const toLayer = layerOf(to);
        if (fromLayer >= 0 && toLayer > fromLayer) {
          violations.push({
            file: f.path,
            rule: 'layer',
            message: `src/${from} imports ${spec}: src/${to} is a higher layer`,
          });
        }
        continue;
      }
      for (const lib of LIBRARY_HOMES) {
        const hit = lib.packages.some((p) =>
          p.endsWith('/') ? spec.startsWith(p) : spec === p || spec.startsWith(`${p}/`),
        );
        if (hit && !inAny(f.path, lib.homes)) {
          violations.push({
            file: f.path,
            rule: 'library',
            message: `imports ${spec}: a ${lib.what} belongs in ${lib.homes.join(' or ')}`,
          });
        }
      }
      if (pure && IO_MODULES.test(spec)) {
        violations.push({ file: f.path, rule: 'pure', message: `pure code imports ${spec} (I/O)` });
      }
    }
    const code = codeOnly(f.text);
    if (pure) {
      for (const [re, what] of IMPURE_CALLS) {
        if (re.test(code)) violations.push({ file: f.path, rule: 'pure', message: `pure code ${what}` });
      }
    } else if (!inAny(f.path, CLOCK_HOMES) && /\bDate\.now\s*\(/.test(code)) {
      violations.push({
        file: f.path,
        rule: 'clock',
        message: 'reads Date.now(): take the time from the injected Clock',
      });
    }
  }
  return violations;
}
