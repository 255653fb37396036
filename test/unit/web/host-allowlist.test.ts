import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddressBudget } from '../../../src/web/address-budget.js';
import { HostAllowlist, hostOf } from '../../../src/web/host-allowlist.js';
import { networkOf } from '../../../src/web/pin-guard.js';

const octet = fc.integer({ min: 0, max: 255 });
const hextet = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));

describe('hostOf (the Host header parser)', () => {
  it('takes the name without port, lower case, IPv6 without brackets; refuses anything else', () => {
    expect(hostOf('Kiosk.Example.org:8080')).toBe('kiosk.example.org');
    expect(hostOf('kiosk.example.org.')).toBe('kiosk.example.org');
    expect(hostOf('[::1]:8443')).toBe('::1');
    expect(hostOf('192.168.4.1')).toBe('192.168.4.1');
    for (const bad of ['', 'a b', 'evil.example/x', '[::1', 'user@host', 'host:port', '[::1]x']) {
      expect(hostOf(bad), bad).toBeUndefined();
    }
  });

  it('property: any name with any port gives the name back; any other character gives undefined', () => {
    fc.assert(
      fc.property(fc.domain(), fc.option(fc.integer({ min: 0, max: 65535 })), (name, port) => {
        const header = port === null ? name : `${name}:${port}`;
        return hostOf(header) === name.toLowerCase();
      }),
    );
    fc.assert(
      fc.property(fc.string(), fc.constantFrom(' ', '/', '@', '?', '#', '\\', '"'), (s, bad) => {
        return hostOf(`${s}${bad}${s}`) === undefined;
      }),
    );
  });

  it('allows its own names and addresses, refuses others, and looks interfaces up again at most once a second', () => {
    let now = 0;
    let lookups = 0;
    let addresses = ['192.168.4.1'];
    const allow = new HostAllowlist(
      ['kiosk.example.org'],
      '0.0.0.0',
      () => now,
      () => {
        lookups += 1;
        return addresses;
      },
    );
    expect(allow.allows('localhost:8080')).toBe(true);
    expect(allow.allows('KIOSK.example.org')).toBe(true);
    expect(allow.allows('192.168.4.1:8080')).toBe(true);
    expect(allow.allows('attacker.example')).toBe(false);
    expect(allow.allows(undefined)).toBe(true);
    addresses = ['10.0.0.7'];
    expect(allow.allows('10.0.0.7')).toBe(false);
    now = 1500;
    expect(allow.allows('10.0.0.7')).toBe(true);
    for (let i = 0; i < 100; i++) allow.allows(`x${i}.example`);
    expect(lookups).toBe(2);
  });
});

describe('networkOf (addresses to networks)', () => {
  it('property: IPv4 and IPv4-mapped addresses give their /24', () => {
    fc.assert(
      fc.property(octet, octet, octet, octet, fc.boolean(), (a, b, c, d, mapped) => {
        fc.pre(!(a === 127 && b === 0 && c === 0 && d === 1));
        const address = `${mapped ? '::ffff:' : ''}${a}.${b}.${c}.${d}`;
        return networkOf(address) === `${a}.${b}.${c}.0/24`;
      }),
    );
  });

  it('property: full IPv6 addresses give their first four groups as a /64', () => {
    fc.assert(
      fc.property(fc.array(hextet, { minLength: 8, maxLength: 8 }), (groups) => {
        fc.pre(groups.join(':') !== '0:0:0:0:0:0:0:1');
        return networkOf(groups.join(':')) === `${groups.slice(0, 4).join(':')}::/64`;
      }),
    );
  });
});

describe('AddressBudget', () => {
  it('caps each address and all visitors, and keeps the screen its own reserve', () => {
    const b = new AddressBudget({ total: 3, perAddress: 2, screen: 1 });
    expect([b.admit('10.0.0.1'), b.admit('10.0.0.1'), b.admit('10.0.0.1')]).toEqual([true, true, false]);
    expect([b.admit('10.0.0.2'), b.admit('10.0.0.3')]).toEqual([true, false]);
    expect([b.admit('127.0.0.1'), b.admit('::1')]).toEqual([true, false]);
    b.release('10.0.0.1');
    expect(b.admit('10.0.0.3')).toBe(true);
    b.release('127.0.0.1');
    expect(b.admit('::ffff:127.0.0.1')).toBe(true);
    expect(b.counts).toEqual({ visitors: 3, addresses: 3, screen: 1 });
  });
});
