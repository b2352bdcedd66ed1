import crypto from 'node:crypto';

/** Sortable and unique enough for out/<run-id>/ and Redis key prefixes: 20261129-101500-ab12. */
export function newRunId(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const d = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}`;
  const t = `${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${d}-${t}-${crypto.randomBytes(2).toString('hex')}`;
}
