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

const isLetter = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/** The row count of a CommandComplete's tag (bytes from..end, NUL excluded) as pg reads it with
 *  /^([A-Za-z]+)(?: (\d+))?(?: (\d+))?/: the second number when there are two ("INSERT 0 1" → 1),
 *  else the first ("UPDATE 3" → 3), else null ("CREATE TABLE"). Read from the bytes: no string. */
export function rowCountOf(buf: Buffer, from: number, end: number): number | null {
  let i = from;
  while (i < end && isLetter(buf[i])) i++;
  if (i === from) return null;
  let count: number | null = null;
  for (let k = 0; k < 2 && i + 1 < end && buf[i] === 0x20 && isDigit(buf[i + 1]); k++) {
    let n = 0;
    for (i++; i < end && isDigit(buf[i]); i++) n = n * 10 + (buf[i] - 0x30);
    count = n;
  }
  return count;
}
