#!/usr/bin/env node
// Writes the payload schemas of docs/asyncapi.yaml (components.schemas) from the zod schemas in
// src/contract (build first: npm run docs:asyncapi does both). The rest of the file is kept as written.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { payloadJsonSchemas } from '../dist/src/contract/json-schemas.js';

const file = new URL('../docs/asyncapi.yaml', import.meta.url);
const doc = parseDocument(readFileSync(file, 'utf8'));
for (const [name, schema] of Object.entries(payloadJsonSchemas())) {
  doc.setIn(['components', 'schemas', name], doc.createNode(schema, { flow: false }));
}
writeFileSync(file, doc.toString({ lineWidth: 0 }));
console.log('wrote docs/asyncapi.yaml payload schemas');
