/**
 * The free-space guard: a full disk must not turn every request into a 500.
 *
 * Below `minFreeMb` the disk is **low**: the web chat refuses *new* visitors politely (people
 * already talking keep being answered). Below a quarter of it, **critical**: nothing new is
 * stored; webhooks answer 503, so Telegram and Zalo deliver the same update again later (they
 * redeliver on any non-2xx, PLATFORMS.md) instead of it being lost in a failed write.
 * The free space is read with `statfs` at most every few seconds.
 */
import { statfsSync } from 'node:fs';

export type DiskState = 'ok' | 'low' | 'critical';

export interface DiskGuard {
  /** The state now (cached for `cacheMs`). */
  state(): DiskState;
  /** Free megabytes at the last reading. */
  freeMb(): number;
}

export interface DiskGuardDeps {
  /** A path on the disk that holds the database. */
  dir: string;
  /** Below this many free megabytes the disk is low; below a quarter of it, critical. 0: off. */
  minFreeMb: number;
  /** Reads the free bytes (tests inject one); default `statfs`. */
  freeBytes?: (dir: string) => number;
  now?: () => number;
  cacheMs?: number;
}

const statfsFree = (dir: string): number => {
  const s = statfsSync(dir);
  return Number(s.bavail) * Number(s.bsize);
};

/** Creates the guard. A disk that cannot be read counts as ok (the write itself will tell). */
export function createDiskGuard(deps: DiskGuardDeps): DiskGuard {
  const read = deps.freeBytes ?? statfsFree;
  const now = deps.now ?? Date.now;
  const cacheMs = deps.cacheMs ?? 5000;
  let at = -Infinity;
  let free = Infinity;
  const refresh = (): void => {
    if (now() - at < cacheMs) return;
    at = now();
    try {
      free = read(deps.dir) / 2 ** 20;
    } catch {
      free = Infinity;
    }
  };
  return {
    state() {
      if (deps.minFreeMb <= 0) return 'ok';
      refresh();
      if (free < deps.minFreeMb / 4) return 'critical';
      if (free < deps.minFreeMb) return 'low';
      return 'ok';
    },
    freeMb() {
      refresh();
      return free;
    },
  };
}
