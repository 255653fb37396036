import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * The few file operations the GPIO layer does on the sysfs tree. The real tree and a fixture tree (with
 * a fake kernel that creates `gpioN/` on export, as the real one does) differ only in this object.
 */
export interface SysfsFs {
  read(path: string): string;
  write(path: string, data: string): void;
  exists(path: string): boolean;
  list(path: string): string[];
}

export const nodeSysfs: SysfsFs = {
  read: (path) => readFileSync(path, 'utf8'),
  write: (path, data) => writeFileSync(path, data),
  exists: (path) => existsSync(path),
  list: (path) => readdirSync(path),
};
