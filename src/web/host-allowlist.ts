import { hostname, networkInterfaces } from 'node:os';

/**
 * The names and addresses this point answers to, against DNS rebinding: a page on the visitor's phone
 * whose name was re-pointed at the point's address still sends its own name in `Host`, and is refused.
 * Allowed: loopback, the device's own host name (and `.local`), every address of its interfaces (looked
 * up again when an unknown one is asked for, at most once a second: DHCP may have moved them), the bound
 * address, and what `web.allowedHosts` adds.
 */
export class HostAllowlist {
  private readonly fixed: Set<string>;
  private interfaces = new Set<string>();
  private lookedAt = Number.NEGATIVE_INFINITY;

  constructor(
    configured: readonly string[],
    bound: string,
    private readonly now: () => number,
    private readonly addresses: () => string[] = ownAddresses,
  ) {
    const name = safeHostname().toLowerCase();
    this.fixed = new Set(
      ['localhost', '127.0.0.1', '::1', name, `${name}.local`, bound, ...configured].map((h) =>
        h.toLowerCase(),
      ),
    );
  }

  /** Whether a request's Host header (with or without port) names this point. */
  allows(host: string | undefined): boolean {
    // HTTP/1.0 without Host: no browser sends that, so it cannot be a rebinding page
    if (host === undefined) return true;
    const name = hostOf(host);
    if (name === undefined) return false;
    if (this.fixed.has(name) || this.interfaces.has(name)) return true;
    const now = this.now();
    if (now - this.lookedAt < 1000) return false;
    this.lookedAt = now;
    this.interfaces = new Set(this.addresses().map((a) => a.toLowerCase()));
    return this.interfaces.has(name);
  }
}

/** The name of a Host header: lower case, no port, IPv6 without brackets; undefined when malformed. */
export function hostOf(header: string): string | undefined {
  const h = header.trim().toLowerCase();
  const v6 = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(h);
  if (v6) return v6[1];
  const named = /^([a-z0-9.-]+)(?::\d{1,5})?$/.exec(h);
  return named?.[1]?.replace(/\.$/, '');
}

function ownAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .flatMap((i) => (i ? [i.address.split('%')[0] ?? i.address] : []));
}

function safeHostname(): string {
  try {
    return hostname();
  } catch {
    return 'localhost';
  }
}
