import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMMAND_PAYLOAD_NAMES } from '../../../src/contract/commands.js';
import { payloadJsonSchemas } from '../../../src/contract/json-schemas.js';

interface AsyncApiDoc {
  channels: Record<
    string,
    { messages: Record<string, { $ref: string }>; parameters?: { name?: { enum?: string[] } } }
  >;
  components: {
    messages: Record<string, { name: string; payload: { $ref?: string } }>;
    schemas: Record<string, unknown>;
  };
}

const doc = parse(readFileSync('docs/asyncapi.yaml', 'utf8')) as AsyncApiDoc;

describe('docs/asyncapi.yaml says what src/contract says', () => {
  it('every payload schema equals the one generated from the zod schemas (npm run docs:asyncapi)', () => {
    const generated = payloadJsonSchemas();
    for (const [name, schema] of Object.entries(generated)) {
      expect(doc.components.schemas[name], `components.schemas.${name}: run npm run docs:asyncapi`).toEqual(
        schema,
      );
    }
  });

  it('every cmd/{name} of the contract has a message there, and no other', () => {
    const command = doc.channels.command;
    expect(command?.parameters?.name?.enum?.slice().sort()).toEqual([...COMMAND_PAYLOAD_NAMES].sort());
    const names = Object.values(command?.messages ?? {}).map((m) => {
      const key = m.$ref.split('/').at(-1) ?? '';
      return doc.components.messages[key]?.name;
    });
    expect(names.sort()).toEqual([...COMMAND_PAYLOAD_NAMES].sort());
  });

  it('the messages of the point and the hub refer to the generated schemas', () => {
    const generated = Object.keys(payloadJsonSchemas());
    const contract = ['online', 'status', 'info', 'desired', 'telemetry', 'events', 'commandResult'];
    for (const key of contract) {
      const ref = doc.components.messages[key]?.payload.$ref?.replace('#/components/schemas/', '');
      expect(generated, key).toContain(ref);
    }
  });
});
