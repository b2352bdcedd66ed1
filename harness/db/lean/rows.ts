// Rows as node-postgres returns them: one object per row, keyed by column name, each value through
// pg's own text parser for its type (int4 a number, int8 and numeric strings, bool a boolean), so
// a strategy reads the same values whichever connection served it.
import pg from 'pg';
import type { Field } from 'pg-protocol/dist/messages.js';

export type RowDecoder = (values: (string | null)[]) => Record<string, unknown>;

export function rowDecoder(fields: readonly Field[]): RowDecoder {
  const names = fields.map((f) => f.name);
  const parsers = fields.map((f) => pg.types.getTypeParser(f.dataTypeID, 'text') as (v: string) => unknown);
  const n = names.length;
  return (values) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const v = values[i];
      row[names[i]] = v === null ? null : parsers[i](v);
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
