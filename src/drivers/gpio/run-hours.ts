/**
 * Generator run-hour accounting, pure: the running contact's level and time go in, hours come out. Time
 * only counts while the contact is closed; a clock that jumps backwards adds nothing.
 */
export class RunHours {
  private totalMs: number;
  private runningSince: number | undefined;

  constructor(restoredHours: number) {
    this.totalMs = Math.max(0, Number.isFinite(restoredHours) ? restoredHours : 0) * 3_600_000;
  }

  /** The contact is now `running` at `t`. */
  update(running: boolean, t: number): void {
    this.bank(t);
    this.runningSince = running ? t : undefined;
  }

  /** Total run hours at `t`, counting the current run so far. */
  hours(t: number): number {
    const open = this.runningSince === undefined ? 0 : Math.max(0, t - this.runningSince);
    return (this.totalMs + open) / 3_600_000;
  }

  private bank(t: number): void {
    if (this.runningSince === undefined) return;
    this.totalMs += Math.max(0, t - this.runningSince);
    this.runningSince = t;
  }
}
