// Rows as node-postgres returns them: one object per row, keyed by column name, each value through
// pg's own text parser for its type (int4 a number, int8 and numeric strings, bool a boolean), so
// a strategy reads the same values whichever connection served it.
import pg from 'pg';
import type { Field } from 'pg-protocol/dist/messages.js';

/** Reads one DataRow's body (from `at`: int16 column count, then per column an int32 length,
 *  -1 for NULL, and the text) into a row object. */
export type RowDecoder = (buf: Buffer, at: number) => Record<string, unknown>;

export function rowDecoder(fields: readonly Field[]): RowDecoder {
  const names = fields.map((f) => f.name);
  const parsers = fields.map((f) => pg.types.getTypeParser(f.dataTypeID, 'text') as (v: string) => unknown);
  return (buf, at) => {
    const row: Record<string, unknown> = {};
    const n = buf.readInt16BE(at);
    let o = at + 2;
    for (let i = 0; i < n; i++) {
      const len = buf.readInt32BE(o);
      o += 4;
      if (len < 0) row[names[i]] = null;
      else {
        row[names[i]] = parsers[i](buf.toString('utf8', o, o + len));
        o += len;
      }
    }
    return row;
  };
}

/** The row count of a command tag as pg reads it ("INSERT 0 1" → 1, "CREATE TABLE" → null). */
export function rowCountOf(tag: string): number | null {
  const m = /^[A-Za-z]+(?: (\d+))?(?: (\d+))?/.exec(tag);
  if (!m) return null;
  const last = m[2] ?? m[1];
  return last === undefined ? null : parseInt(last, 10);
}
