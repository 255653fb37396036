import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

/**
 * A ballast file next to the log. On a really full filesystem SQLite cannot even write the WAL frames
 * of the DELETE that would free space; removing the ballast gives it that room. Written once (its bytes
 * count against the SD budget only then) and put back when space allows.
 */
export class SpaceReserve {
  constructor(
    readonly path: string,
    readonly bytes: number,
  ) {}

  present(): boolean {
    return existsSync(this.path);
  }

  /** Creates the ballast when missing; false (and no partial file) when there is no room for it. */
  ensure(): boolean {
    if (this.present()) return true;
    const tmp = `${this.path}.tmp`;
    let fd: number | undefined;
    try {
      fd = openSync(tmp, 'w');
      const chunk = Buffer.alloc(64 * 1024);
      for (let left = this.bytes; left > 0; left -= chunk.length)
        writeSync(fd, chunk, 0, Math.min(left, chunk.length));
      fsyncSync(fd);
      closeSync(fd);
      fd = undefined;
      renameSync(tmp, this.path);
      return true;
    } catch {
      if (fd !== undefined) closeSync(fd);
      rmSync(tmp, { force: true });
      return false;
    }
  }

  /** Frees the ballast's space; true when there was one to free. */
  release(): boolean {
    if (!this.present()) return false;
    rmSync(this.path, { force: true });
    return true;
  }
}
