/** A value being read or read at `at` (ms); `failed` once its read has failed. */
export interface Cached<T> {
  at: number;
  value: Promise<T>;
  failed?: boolean;
}

/**
 * `entry` while it is younger than `ttlMs` (Infinity: for good), else a fresh `load()`. Concurrent callers share
 * one read; a failed read is never reused.
 */
export function reuseOrLoad<T>(
  entry: Cached<T> | undefined,
  ttlMs: number,
  load: () => Promise<T>,
): Cached<T> {
  if (entry !== undefined && !entry.failed && Date.now() - entry.at < ttlMs) return entry;
  const fresh: Cached<T> = { at: Date.now(), value: load() };
  fresh.value.catch(() => {
    fresh.failed = true;
  });
  return fresh;
}
