// Splits the server's byte stream into messages (a type byte, an int32 length that counts itself,
// the body). It reads straight from the socket's own read buffer (net's `onread`), which the next
// read overwrites: a message cut in two by a read is copied out and completed by the next.

/** Called with one whole message; buf is only valid during the call. */
export type OnFrame = (code: number, buf: Buffer, bodyStart: number, end: number) => void;

export class Framer {
  /** the start of a message that the last read cut off (a copy) */
  private rest: Buffer | null = null;

  constructor(private readonly onFrame: OnFrame) {}

  feed(chunk: Buffer, n: number): void {
    let buf = chunk;
    let len = n;
    if (this.rest) {
      buf = Buffer.concat([this.rest, chunk.subarray(0, n)]);
      len = buf.length;
      this.rest = null;
    }
    let off = 0;
    while (off + 5 <= len) {
      const end = off + 1 + buf.readUInt32BE(off + 1);
      if (end > len) break;
      this.onFrame(buf[off], buf, off + 5, end);
      off = end;
    }
    if (off < len) this.rest = Buffer.from(buf.subarray(off, len));
  }
}
