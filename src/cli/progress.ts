/** A one-line progress bar redrawn in place on a terminal (stderr), at most every `everyMs`. */
export class ProgressBar {
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly write: (text: string) => void,
    private readonly label: string,
    private readonly now: () => number = Date.now,
    private readonly everyMs = 200,
  ) {}

  /** `fraction` of the work done (0..1), `count` items so far. */
  update(fraction: number, count: number): void {
    const t = this.now();
    if (this.drawn && t - this.lastDraw < this.everyMs) return;
    this.lastDraw = t;
    this.drawn = true;
    this.write(`\r${renderBar(this.label, fraction, count)}`);
  }

  /** Clears the line, so the next message starts clean. */
  done(): void {
    if (this.drawn) this.write('\r\u001b[2K');
  }
}

export function renderBar(label: string, fraction: number, count: number, width = 30): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.round(f * width);
  return `${label} [${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(f * 100).toFixed(0).padStart(3)} %  ${count} rows`;
}
