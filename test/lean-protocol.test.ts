// The lean connection's own bytes, checked against node-postgres's serializer, and its message
// framing, checked on replies cut at every possible place.
import { describe, expect, it } from 'vitest';
import { serialize } from 'pg-protocol';
import pgUtils from 'pg/lib/utils.js';
import { BindExecute } from '../harness/db/lean/bind.ts';
import { Framer } from '../harness/db/lean/frames.ts';
import { rowCountOf } from '../harness/db/lean/rows.ts';

/** A Bind message's meaning: format codes spelled out per parameter ("none" means all text, as
 *  does a single 0), each parameter's bytes; and what follows it. */
function readBind(buf: Buffer) {
  expect(String.fromCharCode(buf[0])).toBe('B');
  const end = 1 + buf.readUInt32BE(1);
  let o = 5;
  const cstring = () => {
    const z = buf.indexOf(0, o);
    const s = buf.toString('utf8', o, z);
    o = z + 1;
    return s;
  };
  const portal = cstring();
  const statement = cstring();
  const codes = (count: number) => Array.from({ length: count }, (_, i) => buf.readInt16BE(o + 2 * i));
  const nf = buf.readInt16BE(o);
  o += 2;
  const f = codes(nf);
  o += 2 * nf;
  const n = buf.readInt16BE(o);
  o += 2;
  const params: (string | null)[] = [];
  for (let i = 0; i < n; i++) {
    const len = buf.readInt32BE(o);
    o += 4;
    params.push(len < 0 ? null : buf.toString('hex', o, o + len));
    if (len > 0) o += len;
  }
  const formats = params.map((_, i) => (nf === 0 ? 0 : nf === 1 ? f[0] : f[i]));
  const nr = buf.readInt16BE(o);
  o += 2;
  const results = codes(nr);
  o += 2 * nr;
  expect(o).toBe(end);
  return { portal, statement, formats, params, resultsAllText: results.every((c) => c === 0), rest: buf.subarray(end).toString('hex') };
}

describe('lean protocol', () => {
  it('Bind/Execute/Sync say what pg-protocol serializes for pg.Client (text formats, the same bytes per parameter)', () => {
    const cases: [string, unknown[]][] = [
      ['insert_answer', [7, 'q-bench', 'an answer written by counterbench', 33]],
      ['', [null, undefined, '', 'héllo ✓ 𝄞', -1.5, true, 12345678901234567890n]],
      ['no_params', []],
      ['dates_and_arrays', [new Date(Date.UTC(2026, 10, 29, 12, 0, 0)), [1, 2, 3], { a: 1 }]],
    ];
    for (const [name, values] of cases) {
      const ours = new BindExecute(name).encode(values);
      // as pg.Client sends an execution: its prepareValue maps each parameter
      const bind = serialize.bind({ statement: name, values, valueMapper: (v) => pgUtils.prepareValue(v) });
      const theirs = Buffer.concat([bind, serialize.execute(), serialize.sync()]);
      expect(readBind(ours), name).toEqual(readBind(theirs));
    }
    expect(() => new BindExecute('b').encode([Buffer.from('x')])).toThrow(/Buffer parameter needs pg/);
  });

  it('frames a reply however the reads cut it', () => {
    const msg = (code: string, body: string) => {
      const b = Buffer.from(body, 'utf8');
      const m = Buffer.alloc(5 + b.length);
      m.write(code, 0, 'latin1');
      m.writeUInt32BE(4 + b.length, 1);
      b.copy(m, 5);
      return m;
    };
    const reply = Buffer.concat([msg('2', ''), msg('D', '\u0000\u0001\u0000\u0000\u0000\u0002é'), msg('C', 'INSERT 0 1\u0000'), msg('Z', 'I')]);
    const whole: string[] = [];
    new Framer((code, buf, at, end) => whole.push(`${String.fromCharCode(code)}:${buf.subarray(at, end).toString('hex')}`)).feed(reply, reply.length);
    expect(whole.map((x) => x[0])).toEqual(['2', 'D', 'C', 'Z']);
    for (let a = 0; a <= reply.length; a++) {
      for (let b = a; b <= reply.length; b++) {
        const got: string[] = [];
        const f = new Framer((code, buf, at, end) => got.push(`${String.fromCharCode(code)}:${buf.subarray(at, end).toString('hex')}`));
        // the socket's read buffer is reused: each piece arrives in the same (then scribbled) buffer
        const read = Buffer.alloc(reply.length + 8);
        for (const [from, to] of [[0, a], [a, b], [b, reply.length]]) {
          reply.copy(read, 0, from, to);
          f.feed(read, to - from);
          read.fill(0xee);
        }
        expect(got, `cut at ${a} and ${b}`).toEqual(whole);
      }
    }
  });

  it('reads row counts from command tags as pg does', () => {
    // pg's own reading of a tag (pg/lib/result.js)
    const pgCount = (tag: string) => {
      const m = /^([A-Za-z]+)(?: (\d+))?(?: (\d+))?/.exec(tag);
      return m?.[3] ? parseInt(m[3], 10) : m?.[2] ? parseInt(m[2], 10) : null;
    };
    for (const tag of ['INSERT 0 1', 'INSERT 0 250', 'UPDATE 12', 'DELETE 0', 'SELECT 3', 'MERGE 7', 'COPY 1000000', 'CREATE TABLE', 'SET', 'BEGIN', 'FETCH 2', '']) {
      // as it arrives: inside a larger buffer, NUL-terminated
      const buf = Buffer.from(`xx${tag}\u0000yy`, 'latin1');
      expect([tag, rowCountOf(buf, 2, 2 + tag.length)]).toEqual([tag, pgCount(tag)]);
    }
  });
});
