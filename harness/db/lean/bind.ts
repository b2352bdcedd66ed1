// The per-call bytes of a prepared statement: Bind, Execute and Sync in one buffer, everything but
// the parameters serialized once per statement. This is where the lean path saves most of what
// node-postgres spends per query (a Writer per message, a Describe on every execution).
import pgUtils from 'pg/lib/utils.js';

/** Execute the unnamed portal with no row limit, then Sync. */
const EXECUTE_SYNC = Buffer.from([0x45, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0x53, 0, 0, 0, 4]);
/** no result format codes: every column as text */
const TEXT_RESULTS = Buffer.from([0, 0]);
const TAIL = Buffer.concat([TEXT_RESULTS, EXECUTE_SYNC]);

/** A parameter's text as pg would send it (numbers and strings inline, the rest through pg's own
 *  prepareValue: dates, arrays, JSON); null for SQL NULL. */
function paramText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  const t = pgUtils.prepareValue(v);
  if (Buffer.isBuffer(t)) throw new Error('the lean connection sends parameters as text; a Buffer parameter needs pg');
  return t;
}

/** Bind (unnamed portal, this statement, text parameters, text results) + Execute + Sync. */
export class BindExecute {
  /** portal name, statement name, no parameter format codes (all text) */
  private readonly head: Buffer;

  constructor(statement: string) {
    this.head = Buffer.concat([Buffer.from([0]), Buffer.from(statement + '\0', 'utf8'), Buffer.from([0, 0])]);
  }

  encode(values: readonly unknown[]): Buffer {
    const n = values.length;
    const texts = new Array<string | null>(n);
    // an upper bound (3 UTF-8 bytes per UTF-16 unit) saves measuring every string twice
    let max = 5 + this.head.length + 2 + TAIL.length;
    for (let i = 0; i < n; i++) {
      const t = paramText(values[i]);
      texts[i] = t;
      max += 4 + (t === null ? 0 : t.length * 3);
    }
    const buf = Buffer.allocUnsafe(max);
    buf[0] = 0x42; // 'B'
    let off = 5;
    off += this.head.copy(buf, off);
    buf.writeInt16BE(n, off);
    off += 2;
    for (let i = 0; i < n; i++) {
      const t = texts[i];
      if (t === null) {
        buf.writeInt32BE(-1, off);
        off += 4;
      } else {
        const w = buf.write(t, off + 4, 'utf8');
        buf.writeInt32BE(w, off);
        off += 4 + w;
      }
    }
    // Bind's length counts everything after its type byte up to the result format codes
    buf.writeInt32BE(off + TEXT_RESULTS.length - 1, 1);
    off += TAIL.copy(buf, off);
    return buf.subarray(0, off);
  }
}
