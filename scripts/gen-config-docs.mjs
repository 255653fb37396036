#!/usr/bin/env node
// Writes docs/configuration.md from the schema (build first: npm run docs:config does both).
import { writeFileSync } from 'node:fs';
import { configReference } from '../dist/src/config/describe.js';

writeFileSync(new URL('../docs/configuration.md', import.meta.url), configReference());
console.log('wrote docs/configuration.md');
