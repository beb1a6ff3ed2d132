/**
 * A one-argument function whose results are kept, up to `max` distinct arguments (then new ones
 * are computed every time). For word-level normalisation: people type a few thousand distinct
 * words, and the bound keeps odd input from growing the cache forever.
 */
export function boundedMemo<T>(fn: (key: string) => T, max: number): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    let v = cache.get(key);
    if (v === undefined) {
      v = fn(key);
      if (cache.size < max) cache.set(key, v);
    }
    return v;
  };
}
