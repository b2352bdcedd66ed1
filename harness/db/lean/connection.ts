// A lean PostgreSQL connection for the load driver's hot statements. node-postgres spends ~60 µs
// of client CPU per prepared INSERT (a Query object, events per message, a Describe on every
// execution); on a machine whose cores the server shares, that CPU is taken from the server. This
// connection prepares each named statement once (Parse + Describe, pipelined with the first
// execution), then sends one pre-serialized Bind/Execute/Sync per call. Replies are read straight
// from the socket's read buffer: the few messages of every execution (BindComplete, DataRow,
// CommandComplete, ReadyForQuery) are decoded here, everything else (authentication, errors, row
// descriptions, notices) by pg-protocol, node-postgres's own parser. It answers the subset of
// pg.Client the strategies use (PgQueryClient in harness/strategies/types.ts) with the same rows,
// row counts and errors.
import net from 'node:net';
import { serialize } from 'pg-protocol';
import { Parser } from 'pg-protocol/dist/parser.js';
import type { BackendMessage, DatabaseError, RowDescriptionMessage } from 'pg-protocol/dist/messages.js';
import type { QueryRows, QuerySpec } from '../../strategies/types.ts';
import { Authenticator } from './auth.ts';
import { BindExecute } from './bind.ts';
import { Framer } from './frames.ts';
import { rowCountOf, rowDecoder, type RowDecoder } from './rows.ts';
import type { LeanParams } from './params.ts';

/** A named statement of this connection. */
interface Statement {
  name: string;
  text: string;
  bind: BindExecute;
  /** how to read its rows; undefined until the server described it, null when it returns none */
  decoder?: RowDecoder | null;
  /** the server accepted its Parse (a failed Parse is sent again next time) */
  parsed: boolean;
}

interface Pending {
  bytes: Buffer;
  resolve(r: QueryRows<any>): void;
  reject(e: Error): void;
  decoder: RowDecoder | null | undefined;
  rows: Record<string, unknown>[];
  rowCount: number | null;
  /** a result ended (CommandComplete); a later one replaces it (several statements in one text) */
  ended: boolean;
  error: Error | null;
  /** the named statement this query parses and describes, if any */
  preparing?: Statement;
}

// node-postgres's messages, which harness/load/error-kind.ts classifies as connection errors
const TERMINATED = 'Connection terminated unexpectedly';
const CLOSED = 'Client was closed and is not queryable';
const BROKEN = 'Client has encountered a connection error and is not queryable';

export interface LeanConnectOptions {
  /** give up connecting after this long (default 10 s, as harness/db/connect.ts) */
  timeoutMs?: number;
}

export class LeanConnection {
  private readonly socket: net.Socket;
  /** the rare messages: whole, one at a time */
  private readonly parser = new Parser();
  private readonly statements = new Map<string, Statement>();
  private readonly queue: Pending[] = [];
  private current: Pending | null = null;
  /** messages other than a query's go here while the connection starts up */
  private startupHandler: ((msg: BackendMessage) => void) | null = null;
  /** why the connection can no longer be used */
  private broken: Error | null = null;
  private ending = false;
  private readonly closed: Promise<void>;

  private constructor(params: LeanParams) {
    const framer = new Framer(this.onFrame);
    const onread = {
      buffer: Buffer.allocUnsafe(64 * 1024),
      callback: (n: number, buf: Buffer) => {
        try {
          framer.feed(buf, n);
        } catch (e) {
          this.broken ??= new Error(`unreadable reply from the server: ${(e as Error).message}`);
          this.socket.destroy();
        }
        return true;
      },
    };
    this.socket = params.socketPath ? net.connect({ path: params.socketPath, onread }) : net.connect({ host: params.host, port: params.port, onread });
    this.socket.setNoDelay(true);
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
    this.socket.on('error', (e) => {
      this.broken ??= e;
    });
    this.socket.once('close', () => this.onClose());
  }

  static connect(params: LeanParams, o: LeanConnectOptions = {}): Promise<LeanConnection> {
    return new LeanConnection(params).startup(params, o.timeoutMs ?? 10_000);
  }

  /** Startup and authentication; resolves at the first ReadyForQuery. */
  private startup(params: LeanParams, timeoutMs: number): Promise<LeanConnection> {
    const socket = this.socket;
    const auth = new Authenticator(params.user, params.password);
    return new Promise<LeanConnection>((resolve, reject) => {
      let settled = false;
      const fail = (e: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.startupHandler = null;
        this.broken ??= e;
        socket.destroy();
        reject(e);
      };
      const timer = setTimeout(() => fail(new Error('Connection terminated due to connection timeout')), timeoutMs);
      // authentication answers are asynchronous (SCRAM's key derivation): keep them in order
      let chain = Promise.resolve();
      this.startupHandler = (msg) => {
        if (msg.name === 'error') return fail(msg as DatabaseError);
        if (msg.name === 'readyForQuery') {
          chain = chain.then(() => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            this.startupHandler = null;
            resolve(this);
          });
          return;
        }
        chain = chain
          .then(() => auth.answer(msg))
          .then((bytes) => {
            if (bytes && !settled) socket.write(bytes);
          })
          .catch((e: Error) => fail(e));
      };
      socket.once('close', () => fail(this.broken ?? new Error(TERMINATED)));
      socket.once('connect', () => socket.write(serialize.startup(params.startup)));
    });
  }

  query<R = any>(textOrSpec: string | QuerySpec, values?: readonly unknown[]): Promise<QueryRows<R>> {
    const spec = typeof textOrSpec === 'string' ? { text: textOrSpec, values } : textOrSpec;
    return new Promise<QueryRows<R>>((resolve, reject) => {
      if (this.broken || this.ending) return reject(new Error(this.ending ? CLOSED : BROKEN));
      let bytes: Buffer;
      let decoder: RowDecoder | null | undefined;
      let preparing: Statement | undefined;
      try {
        if (spec.name) {
          let st = this.statements.get(spec.name);
          if (st && st.text !== spec.text) {
            // pg refuses this too: the server would run the first text with the second's values
            throw new Error(`Prepared statements must be unique - '${spec.name}' was used for a different statement`);
          }
          if (st && st.parsed) {
            bytes = st.bind.encode(spec.values ?? []);
            decoder = st.decoder;
          } else {
            st ??= { name: spec.name, text: spec.text, bind: new BindExecute(spec.name), parsed: false };
            this.statements.set(spec.name, st);
            preparing = st;
            bytes = Buffer.concat([
              serialize.parse({ name: spec.name, text: spec.text }),
              serialize.describe({ type: 'S', name: spec.name }),
              st.bind.encode(spec.values ?? []),
            ]);
          }
        } else if (spec.values && spec.values.length > 0) {
          // the unnamed statement, parsed on every call, as pg does for a query without a name
          bytes = Buffer.concat([
            serialize.parse({ text: spec.text }),
            serialize.describe({ type: 'S', name: '' }),
            new BindExecute('').encode(spec.values),
          ]);
        } else {
          bytes = serialize.query(spec.text);
        }
      } catch (e) {
        return reject(e as Error);
      }
      const p: Pending = { bytes, resolve, reject, decoder, rows: [], rowCount: null, ended: false, error: null, preparing };
      if (this.current) this.queue.push(p);
      else this.send(p);
    });
  }

  /** Sends Terminate and waits for the socket to close; queries still queued fail. */
  async end(): Promise<void> {
    if (!this.ending) {
      this.ending = true;
      if (this.broken) this.socket.destroy();
      else this.socket.end(serialize.end());
    }
    // a server that never closes its side (a network gone) must not hold the driver
    const t = setTimeout(() => this.socket.destroy(), 5000);
    t.unref();
    await this.closed;
    clearTimeout(t);
  }

  private send(p: Pending): void {
    this.current = p;
    this.socket.write(p.bytes);
  }

  /** One message from the server: an execution's own decoded here, the rest by pg-protocol. */
  private readonly onFrame = (code: number, buf: Buffer, at: number, end: number): void => {
    const p = this.current;
    switch (code) {
      case 0x32: // '2' BindComplete
      case 0x74: // 't' ParameterDescription
        return;
      case 0x44: // 'D' DataRow
        if (!p) return;
        if (p.ended) this.newResult(p);
        p.rows.push(p.decoder!(buf, at));
        return;
      case 0x43: // 'C' CommandComplete: the command tag, NUL-terminated
        if (!p) return;
        if (p.ended) this.newResult(p);
        p.rowCount = rowCountOf(buf, at, end - 1);
        p.ended = true;
        return;
      case 0x5a: {
        // 'Z' ReadyForQuery: the query is done; the next one may go (at startup: pg-protocol's)
        if (this.startupHandler || !p) break;
        this.current = null;
        if (p.error) p.reject(p.error);
        else p.resolve({ rows: p.rows, rowCount: p.rowCount });
        const next = this.queue.shift();
        if (next && !this.broken) this.send(next);
        return;
      }
      case 0x31: // '1' ParseComplete
        if (p?.preparing) p.preparing.parsed = true;
        return;
      case 0x6e: // 'n' NoData
        if (!p) return;
        p.decoder = null;
        if (p.preparing) p.preparing.decoder = null;
        return;
      case 0x49: // 'I' EmptyQueryResponse
        return;
    }
    // a copy: pg-protocol may keep views of the bytes (an md5 salt), and the read buffer is reused
    this.parser.parse(Buffer.from(buf.subarray(at - 5, end)), this.onMessage);
  };

  private readonly onMessage = (msg: BackendMessage): void => {
    if (this.startupHandler) return this.startupHandler(msg);
    const p = this.current;
    switch (msg.name) {
      case 'rowDescription':
        if (!p) return;
        if (p.ended) this.newResult(p);
        p.decoder = rowDecoder((msg as RowDescriptionMessage).fields);
        if (p.preparing) p.preparing.decoder = p.decoder;
        return;
      case 'error': {
        const e = msg as DatabaseError;
        if (e.severity === 'FATAL' || e.severity === 'PANIC') this.broken ??= e;
        if (!p) return;
        p.error ??= e;
        // a Parse the server refused: prepare the name again at its next use
        if (p.preparing && !p.preparing.parsed) this.statements.delete(p.preparing.name);
        return;
      }
      case 'copyInResponse':
        // nothing here copies; end the COPY so that the server reports it and moves on
        this.socket.write(serialize.copyFail('the lean connection does not send COPY data'));
        return;
      default:
        // notices, parameter status, notifications: nothing the strategies read
        return;
    }
  };

  /** A later statement of a multi-statement text: its result replaces the one before. */
  private newResult(p: Pending): void {
    p.rows = [];
    p.rowCount = null;
    p.ended = false;
  }

  private onClose(): void {
    const e = this.ending && !this.broken ? new Error('Connection terminated') : new Error(TERMINATED);
    this.broken ??= e;
    const p = this.current;
    this.current = null;
    // the query in flight gets the server's own FATAL error when it sent one (57P01 for
    // pg_terminate_backend), else pg's "terminated unexpectedly"
    if (p) p.reject(p.error ?? this.broken);
    for (const q of this.queue.splice(0)) q.reject(this.ending ? new Error(CLOSED) : e);
  }
}
