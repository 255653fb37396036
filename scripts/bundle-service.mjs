#!/usr/bin/env node
// The long-running service as one ES module: dist/src/main.js, written over tsc's entry point after
// `tsc` (npm run build). Over 300 modules loaded one by one cost the idle service ~6 MB (module
// records, the loader's bookkeeping, every file's source text kept by V8, zod's 60 locale files that
// nothing uses); one tree-shaken file does not (npm run bench:footprint, docs/RESULTS.md).
// Everything else in dist/src stays as tsc wrote it: the hub, the benches and the tests import those.
// Native and hardware packages stay outside (loaded at run time from node_modules, as before), so a
// simulated point still never loads serialport, and `npm rebuild` on the Pi works as it did.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/src/main.js`;
const external = [
  /^node:/,
  'better-sqlite3',
  'serialport',
  /^@serialport\//,
  'modbus-serial',
  'johnny-five',
  'firmata-io',
  'onoff',
  'epoll',
  'pg',
];

/**
 * Each module keeps its own `import.meta.url`: the place tsc put it (dist/src/…/x.js, next to the copied
 * web assets), so `new URL('./public/', import.meta.url)` and createRequire() find what they found before.
 */
const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  transform(code, id) {
    if (!id.startsWith(`${root}src/`) || !code.includes('import.meta.url')) return null;
    const compiled = relative(dirname(out), `${root}dist/${relative(root, id)}`).replace(/\.ts$/, '.js');
    return code.replaceAll('import.meta.url', `new URL(${JSON.stringify(`./${compiled}`)}, import.meta.url).href`);
  },
};

const bundle = await rolldown({
  input: `${root}src/main.ts`,
  platform: 'node',
  external,
  tsconfig: `${root}tsconfig.json`,
  plugins: [ownImportMetaUrl],
  logLevel: 'warn',
});
await bundle.write({
  file: out,
  format: 'esm',
  codeSplitting: false,
  // Whitespace and comments out, names kept: a stack trace in the journal still names the functions.
  // ASCII only: one non-ASCII character (the web page's Ukrainian texts) makes V8 keep the whole source
  // as a two-byte string, 2.6 MB instead of 1.3 MB.
  minify: { compress: false, mangle: false, codegen: { removeWhitespace: true, asciiOnly: true } },
  sourcemap: false,
});
await bundle.close();
// tsc's map of the entry it wrote describes a file that is no longer there.
rmSync(`${out}.map`, { force: true });
// The shebang for `pima-kiosk` on PATH (package.json "bin") if the bundler did not keep it.
const text = readFileSync(out, 'utf8');
if (!text.startsWith('#!')) writeFileSync(out, `#!/usr/bin/env node\n${text}`);
