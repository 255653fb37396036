#!/usr/bin/env node
// Writes docs/operator-card/{uk,et,sv,ru,en}.html from src/docs (build first: npm run docs:card does both).
import { mkdirSync, writeFileSync } from 'node:fs';
import { operatorCards } from '../dist/src/docs/operator-card.js';

const dir = new URL('../docs/operator-card/', import.meta.url);
mkdirSync(dir, { recursive: true });
for (const [file, html] of Object.entries(operatorCards())) writeFileSync(new URL(file, dir), html);
console.log(`wrote docs/operator-card/ (${Object.keys(operatorCards()).join(', ')})`);
