import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configReference, describeConfig } from '../../../src/config/describe.js';
import { loadConfigFile } from '../../../src/config/load.js';

describe('shipped configuration files', () => {
  it('the simulated default is valid: all sim, log under ./data, MQTT to a local broker', () => {
    const cfg = loadConfigFile('config/default.yaml');
    // optional roles are absent, and the gpio settings are not a device
    const devices = Object.values(cfg.hardware).filter((d) => d !== undefined && 'driver' in d);
    expect(devices.every((d) => d.driver === 'sim')).toBe(true);
    expect(cfg.storage.path.startsWith('./data/')).toBe(true);
    expect(cfg.mqtt?.url).toBe('mqtt://127.0.0.1:1883');
  });

  it('the Raspberry Pi example is valid and shows every key of the schema with a comment', () => {
    loadConfigFile('config/raspberry-pi.example.yaml');
    const lines = readFileSync('config/raspberry-pi.example.yaml', 'utf8').split('\n');
    for (const key of describeConfig()) {
      const leaf = key.path.split('.').at(-1) ?? '';
      const depth = key.path.split('.').length - 1;
      // a key of an alternative driver may be shown commented out, as `# key: value`
      const indent = key.variant ? '\\s*(#\\s*)*' : '  '.repeat(depth);
      const at = lines.findIndex(
        (l) =>
          new RegExp(`^${indent}${leaf}:`).test(l) ||
          (depth > 0 && new RegExp(`^\\s*(# )?\\S+: \\{.*\\b${leaf}:`).test(l)),
      );
      expect(at, `${key.path} missing from the example`).toBeGreaterThanOrEqual(0);
      if (key.type !== 'object' && !key.path.startsWith('hardware.')) {
        expect(lines[at - 1]?.trim().startsWith('#'), `${key.path} has no comment above it`).toBe(true);
      }
    }
  });

  it('docs/configuration.md is the one generated from the schema', () => {
    expect(readFileSync('docs/configuration.md', 'utf8')).toBe(configReference());
  });
});
