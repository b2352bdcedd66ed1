// COPY ... FROM STDIN on a node-postgres client, without another dependency: pg hands a query
// object that has submit() the connection, and routes the server's CopyInResponse,
// CommandComplete, ErrorResponse and ReadyForQuery to it (the hooks pg-copy-streams uses).
import type pg from 'pg';

interface PgConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

class CopyIn {
  callback?: (err: Error | null, rows?: number) => void;
  private rows = 0;
  private error: Error | null = null;
  constructor(
    readonly text: string,
    private readonly chunks: readonly Buffer[],
  ) {}
  submit(connection: PgConnection): void {
    connection.query(this.text);
  }
  handleCopyInResponse(connection: PgConnection): void {
    for (const chunk of this.chunks) connection.sendCopyFromChunk(chunk);
    connection.endCopyFrom();
  }
  handleCommandComplete(msg: { text: string }): void {
    this.rows = Number(/\d+$/.exec(msg.text)?.[0] ?? 0);
  }
  handleError(err: Error): void {
    this.error = err;
  }
  handleReadyForQuery(): void {
    this.callback?.(this.error, this.rows);
  }
  // a COPY FROM never sends rows back; pg calls these on every query object
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handleCopyData(): void {}
  handlePortalSuspended(): void {}
}

/** Sends `lines` (text format, each ending in \n) through `COPY <target> FROM STDIN`; resolves
 *  to the rows the server copied. */
export function copyIn(c: pg.Client, target: string, lines: readonly string[]): Promise<number> {
  // a few large chunks: one CopyData message per line would cost a syscall each
  const chunks: Buffer[] = [];
  for (let i = 0; i < lines.length; i += 1000) chunks.push(Buffer.from(lines.slice(i, i + 1000).join('')));
  const q = new CopyIn(`COPY ${target} FROM STDIN`, chunks);
  return new Promise((resolve, reject) => {
    q.callback = (err, rows) => (err ? reject(err) : resolve(rows ?? 0));
    (c as unknown as { query(q: CopyIn): void }).query(q);
  });
}
