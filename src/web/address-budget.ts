/**
 * Slots (connections, live streams) shared by many clients: a cap for everyone together, a smaller cap
 * per address, and a separate reserve for the kiosk's own screen that no visitor can take. Pure
 * accounting: the caller asks before it keeps a socket and gives the slot back when it closes.
 */

export interface BudgetLimits {
  /** Slots for all visitors together. */
  total: number;
  /** Slots for one visitor address. */
  perAddress: number;
  /** Slots only the screen's own addresses may use, outside `total`. */
  screen: number;
}

/**
 * The addresses the kiosk's own screen (Chromium on the device) connects from. Exactly these, not all of
 * 127.0.0.0/8: nothing on the device uses another loopback address, and a visitor never has one of these.
 */
export function isScreenAddress(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

export class AddressBudget {
  private readonly used = new Map<string, number>();
  private visitors = 0;
  private screen = 0;

  constructor(private readonly limits: BudgetLimits) {}

  /** Takes a slot for `address` if one is free; every true must be matched by one release(). */
  admit(address: string | undefined): boolean {
    const key = address ?? 'unknown';
    if (isScreenAddress(key)) {
      if (this.screen >= this.limits.screen) return false;
      this.screen += 1;
      return true;
    }
    const mine = this.used.get(key) ?? 0;
    if (this.visitors >= this.limits.total || mine >= this.limits.perAddress) return false;
    this.visitors += 1;
    this.used.set(key, mine + 1);
    return true;
  }

  release(address: string | undefined): void {
    const key = address ?? 'unknown';
    if (isScreenAddress(key)) {
      this.screen = Math.max(0, this.screen - 1);
      return;
    }
    const mine = this.used.get(key) ?? 0;
    if (mine <= 0) return;
    this.visitors -= 1;
    if (mine === 1) this.used.delete(key);
    else this.used.set(key, mine - 1);
  }

  /** Slots in use: visitors, their distinct addresses, and the screen's. */
  get counts(): { visitors: number; addresses: number; screen: number } {
    return { visitors: this.visitors, addresses: this.used.size, screen: this.screen };
  }
}
