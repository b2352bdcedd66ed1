// Durations as people write them in scenario files and flags: 20, "20s", "2m", "500ms", "1m30s".
// A bare number (or a numeric string) is in the field's own unit, which its name tells.

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const PART = /(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)/y;

/** Milliseconds, or undefined when `v` is not a duration. Negative values are not durations. */
export function parseDurationMs(v: unknown, bareUnit: 'ms' | 's'): number | undefined {
  const bare = bareUnit === 'ms' ? 1 : 1000;
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v * bare : undefined;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (s === '') return undefined;
  if (/^(\d+(\.\d+)?|\.\d+)$/.test(s)) return Number(s) * bare;
  let total = 0;
  let at = 0;
  PART.lastIndex = 0;
  while (at < s.length) {
    PART.lastIndex = at;
    const m = PART.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
    at = PART.lastIndex;
    while (s[at] === ' ') at++;
  }
  return total;
}
