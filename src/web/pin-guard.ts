import { isScreenAddress } from './address-budget.js';

/**
 * The sign-in budget of the technician PIN. Wrong PINs are counted per network (IPv4 /24, IPv6 /64: a
 * visitor can change an address, rarely a network) and across all networks together; each budget spent
 * locks sign-in for a time that doubles with every lockout, up to a cap. The per-network table is bounded
 * by evicting what is not locked; an active lockout is never forgotten (the global budget caps how many
 * networks can ever be locked at once). Pure: time comes in as `now`.
 */

export interface PinGuardLimits {
  /** Wrong PINs from one network before its lockout. */
  perNetwork: number;
  /** Wrong PINs from all networks together before everyone's lockout. */
  global: number;
  /** The first lockout; each further one doubles. */
  firstLockoutMs: number;
  maxLockoutMs: number;
  /** A lockout level is forgotten after this long without a wrong PIN. */
  forgetMs: number;
  /** Networks remembered at most. */
  maxNetworks: number;
}

export const PIN_GUARD_LIMITS: PinGuardLimits = {
  perNetwork: 5,
  global: 20,
  firstLockoutMs: 60_000,
  maxLockoutMs: 3_600_000,
  forgetMs: 86_400_000,
  maxNetworks: 4096,
};

interface Budget {
  failures: number;
  /** Lockouts so far: the next one lasts firstLockoutMs × 2^level. */
  level: number;
  lockedUntil: number;
  lastFailure: number;
}

export type PinVerdict = { ok: true } | { ok: false; scope: 'network' | 'everyone'; retryMs: number };

/** What a wrong PIN did: a lockout it started, if any. */
export interface FailureOutcome {
  network: string;
  failures: number;
  lockout?: { scope: 'network' | 'everyone'; ms: number };
}

export class PinGuard {
  private readonly networks = new Map<string, Budget>();
  private readonly everyone: Budget = fresh();

  constructor(private readonly limits: PinGuardLimits = PIN_GUARD_LIMITS) {}

  /** May `address` try a PIN now? */
  check(address: string, now: number): PinVerdict {
    const own = this.networks.get(networkOf(address));
    if (own && own.lockedUntil > now) return { ok: false, scope: 'network', retryMs: own.lockedUntil - now };
    // The kiosk's own screen is not held by the global budget: a technician at the device can sign in.
    if (!isScreenAddress(address) && this.everyone.lockedUntil > now) {
      return { ok: false, scope: 'everyone', retryMs: this.everyone.lockedUntil - now };
    }
    return { ok: true };
  }

  failed(address: string, now: number): FailureOutcome {
    const network = networkOf(address);
    const own = this.budgetOf(network, now);
    const out: FailureOutcome = { network, failures: 0 };
    if (own) {
      const ms = this.count(own, this.limits.perNetwork, now);
      out.failures = ms ? this.limits.perNetwork : own.failures;
      if (ms) out.lockout = { scope: 'network', ms };
    }
    if (!isScreenAddress(address)) {
      const ms = this.count(this.everyone, this.limits.global, now);
      if (ms && !out.lockout) out.lockout = { scope: 'everyone', ms };
    }
    return out;
  }

  /** The right PIN: that network's record and the global count start over. */
  succeeded(address: string): void {
    this.networks.delete(networkOf(address));
    Object.assign(this.everyone, fresh());
  }

  /** Networks remembered (for tests and the docs' memory bound). */
  get size(): number {
    return this.networks.size;
  }

  /** Counts one wrong PIN against `b`; the lockout's length when it just locked. */
  private count(b: Budget, allowed: number, now: number): number | undefined {
    if (b.lockedUntil <= now && now - b.lastFailure > this.limits.forgetMs) Object.assign(b, fresh());
    b.failures += 1;
    b.lastFailure = now;
    if (b.failures < allowed) return undefined;
    const ms = Math.min(this.limits.maxLockoutMs, this.limits.firstLockoutMs * 2 ** b.level);
    b.level += 1;
    b.failures = 0;
    b.lockedUntil = now + ms;
    return ms;
  }

  /** The network's budget, making room for a new one by evicting an unlocked one; undefined if all are locked. */
  private budgetOf(network: string, now: number): Budget | undefined {
    const known = this.networks.get(network);
    if (known) return known;
    if (this.networks.size >= this.limits.maxNetworks) {
      let victim: string | undefined;
      let oldest = Number.POSITIVE_INFINITY;
      for (const [key, b] of this.networks) {
        if (b.lockedUntil <= now && b.lastFailure < oldest) {
          oldest = b.lastFailure;
          victim = key;
        }
      }
      // every remembered network is locked: this one is held by the global budget alone until one expires
      if (victim === undefined) return undefined;
      this.networks.delete(victim);
    }
    const b = fresh();
    this.networks.set(network, b);
    return b;
  }
}

/** The network an address belongs to: IPv4 /24, IPv6 /64; the screen's loopback stays itself. */
export function networkOf(address: string): string {
  const v4 = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.(\d+)$/i.exec(address);
  if (v4) return isScreenAddress(address) ? '127.0.0.1' : `${v4[1]}.${v4[2]}.${v4[3]}.0/24`;
  if (address.includes(':')) {
    if (isScreenAddress(address)) return '::1';
    const [head = '', tail] = address.toLowerCase().split('::');
    const left = head === '' ? [] : head.split(':');
    const right = tail === undefined || tail === '' ? [] : tail.split(':');
    const groups =
      tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
    return `${groups
      .slice(0, 4)
      .map((g) => g.replace(/^0+(?=.)/, ''))
      .join(':')}::/64`;
  }
  return address;
}

function fresh(): Budget {
  return { failures: 0, level: 0, lockedUntil: 0, lastFailure: Number.NEGATIVE_INFINITY };
}
