import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { ConfigError } from '../../../src/config/errors.js';
import { parseYamlConfig } from '../../../src/config/load.js';
import { hubConfigSchema } from '../../../src/hub/config/schema.js';

describe('hub config', () => {
  test('an empty file runs: every key has a default (CONTRACT.md §7)', () => {
    const c = parseYamlConfig('', 'hub.yaml', hubConfigSchema);
    expect(c.mqtt).toMatchObject({
      url: 'mqtt://127.0.0.1:1883',
      topicPrefix: 'pima/v1',
      shareGroup: 'pima-hub',
    });
    expect(c.mqtt.clientId).toBeUndefined();
    expect(c.database.url).toBe('sqlite:./data/hub.db');
    expect(c.web).toMatchObject({ host: '127.0.0.1', port: 8090 });
    expect(c.points.staleAfterSec).toBe(180);
  });

  test('the shipped config/hub.yaml is valid and says the defaults', () => {
    const shipped = parseYamlConfig(
      readFileSync('config/hub.yaml', 'utf8'),
      'config/hub.yaml',
      hubConfigSchema,
    );
    expect(shipped).toEqual(parseYamlConfig('', 'x', hubConfigSchema));
  });

  test('every problem at once, positioned, with unknown keys', () => {
    const text = 'database:\n  url: mysql://x\nweb:\n  port: 99999\n  colour: red\n';
    try {
      parseYamlConfig(text, 'h.yaml', hubConfigSchema);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const lines = (err as ConfigError).message.split('\n');
      expect(lines[0]).toMatch(/^h\.yaml:2:8: database\.url: must be sqlite:PATH/);
      expect(lines[1]).toMatch(/^h\.yaml:4:9: web\.port: /);
      expect(lines[2]).toBe('h.yaml:5:3: web.colour: unknown key');
    }
  });

  test('PostgreSQL URLs are accepted', () => {
    const c = parseYamlConfig('database:\n  url: postgres://hub@db:5432/pima\n', 'x', hubConfigSchema);
    expect(c.database.url).toBe('postgres://hub@db:5432/pima');
  });
});
