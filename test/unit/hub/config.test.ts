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

  test('basemap tiles: none by default; a URL template must be http(s) with {z}, {x} and {y}', () => {
    const none = parseYamlConfig('', 'h.yaml', hubConfigSchema);
    expect(none.web.basemap).toEqual({ attribution: '', maxZoom: 18 });
    expect(none.refuel).toEqual({
      truckLitres: 2000,
      firstStopHours: 1,
      hoursPerStop: 0.5,
      refillBelowPercent: 50,
      horizonHours: 24,
    });
    const ok = parseYamlConfig(
      'web:\n  basemap:\n    tileUrl: https://tiles.example.org/osm/{z}/{x}/{y}.png\n    attribution: "© OSM"\n',
      'h.yaml',
      hubConfigSchema,
    );
    expect(ok.web.basemap.tileUrl).toBe('https://tiles.example.org/osm/{z}/{x}/{y}.png');
    for (const [url, problem] of [
      ['https://tiles.example.org/{z}/{x}.png', /must contain \{z\}, \{x\} and \{y\}/],
      ['ftp://tiles.example.org/{z}/{x}/{y}.png', /must be an http/],
      ['https://{s}.tile.example.org/{z}/{x}/{y}.png', /no \{s\} subdomains/],
      ['https://[bad/{z}/{x}/{y}.png', /valid URL/],
      ['https://x.org/{z}/{x}/{y}.png" onload="', /without spaces or quotes/],
    ] as const) {
      expect(() =>
        parseYamlConfig(`web:\n  basemap:\n    tileUrl: '${url}'\n`, 'h.yaml', hubConfigSchema),
      ).toThrow(problem);
    }
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
