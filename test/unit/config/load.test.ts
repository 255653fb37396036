import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, formatProblem } from '../../../src/config/errors.js';
import { loadConfigFile, parseConfigText } from '../../../src/config/load.js';

function problems(text: string): string[] {
  try {
    parseConfigText(text, 'c.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map(formatProblem);
    throw err;
  }
  throw new Error('expected the config to be rejected');
}

describe('config loader', () => {
  it('fills every default from a file holding only point.id', () => {
    const cfg = parseConfigText('point:\n  id: tallinn-lasnamae-01\n', 'c.yaml');
    expect(cfg.point.id).toBe('tallinn-lasnamae-01');
    expect(cfg.point.capacity).toBe(50);
    expect(cfg.storage.path).toBe('./data/kiosk.db');
    expect(cfg.storage.commitIntervalMs).toBe(1000);
    expect(cfg.mqtt).toBeUndefined();
    expect(cfg.hardware.battery.driver).toBe('sim');
    expect(cfg.rules.reopenBelowPercent).toBe(90);
    expect(cfg.sign.outputs).toEqual(['terminal']);
  });

  it('fills MQTT defaults when only the URL is given', () => {
    const cfg = parseConfigText('point: {id: p1}\nmqtt:\n  url: mqtt://127.0.0.1:1883\n', 'c.yaml');
    expect(cfg.mqtt?.topicPrefix).toBe('pima/v1');
  });

  it('reports every problem at once, each with file, line, column and key path', () => {
    const text = [
      'point:',
      '  id: Bad_ID',
      '  capacity: "many"',
      '  colour: red',
      'storage:',
      '  path: 5',
      'mqtt:',
      '  url: http://x',
      'extra: 1',
    ].join('\n');
    expect(problems(text)).toEqual([
      'c.yaml:2:7: point.id: must be 1..64 characters of a-z, 0-9 and -',
      expect.stringMatching(/^c\.yaml:3:13: point\.capacity: .*number/),
      'c.yaml:4:3: point.colour: unknown key',
      expect.stringMatching(/^c\.yaml:6:9: storage\.path: .*string/),
      'c.yaml:8:8: mqtt.url: must be an mqtt://, mqtts://, ws:// or wss:// URL',
      'c.yaml:9:1: extra: unknown key',
    ]);
  });

  it('reports a missing point.id as required at its parent', () => {
    expect(problems('point:\n  capacity: 10\n')).toEqual(['c.yaml:2:3: point.id: required']);
    expect(problems('')).toEqual(['c.yaml:1:1: point: required']);
  });

  it('reports YAML syntax errors with their position', () => {
    const lines = problems('point:\n  id: a\n  id: b\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^c\.yaml:3:3: \(root\): YAML: /);
  });

  it('reports problems inside arrays by index', () => {
    expect(problems('point:\n  id: p\n  services: [heat, sauna]\n')).toEqual([
      expect.stringMatching(/^c\.yaml:3:20: point\.services\.1: /),
    ]);
  });

  it('names a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    expect(() => loadConfigFile(join(dir, 'nope.yaml'))).toThrow(
      /nope\.yaml:1:1: \(root\): cannot read config: file not found/,
    );
    writeFileSync(join(dir, 'ok.yaml'), 'point: {id: ok}\n');
    expect(loadConfigFile(join(dir, 'ok.yaml')).point.id).toBe('ok');
  });
});
