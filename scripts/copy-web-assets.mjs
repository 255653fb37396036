#!/usr/bin/env node
// The status page's browser files (plain HTML, CSS and ES modules) go next to the compiled server.
import { cpSync } from 'node:fs';

cpSync(new URL('../src/web/public/', import.meta.url), new URL('../dist/src/web/public/', import.meta.url), {
  recursive: true,
});
