#!/usr/bin/env node
// The browser files (plain HTML, CSS and ES modules) go next to the compiled servers: the point's
// status page and the hub's dashboard.
import { cpSync } from 'node:fs';

for (const dir of ['src/web/public/', 'src/hub/web/public/']) {
  cpSync(new URL(`../${dir}`, import.meta.url), new URL(`../dist/${dir}`, import.meta.url), {
    recursive: true,
  });
}
