// k6's HTTP calls are synchronous; Node's are not. A worker thread runs fetch while this thread
// waits on a shared flag, then takes the reply from the port synchronously.
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';

const WORKER = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', async ({ url, method, headers, body, flag, port }) => {
  let reply;
  try {
    const r = await fetch(url, { method, headers, body });
    reply = { status: r.status, body: await r.text() };
  } catch (e) {
    reply = { status: 0, body: '', error: String(e && e.message || e) };
  }
  port.postMessage(reply);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
`;

let worker: Worker | undefined;

export interface SyncReply {
  status: number;
  body: string;
  error?: string;
}

export function syncFetch(url: string, method: string, headers: Record<string, string>, body: string | null): SyncReply {
  worker ??= new Worker(WORKER, { eval: true });
  worker.unref();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  worker.postMessage({ url, method, headers, body, flag, port: port2 }, [port2]);
  Atomics.wait(flag, 0, 0, 30_000);
  const m = receiveMessageOnPort(port1);
  port1.close();
  if (!m) throw new Error(`no reply from ${method} ${url} within 30 s`);
  return m.message as SyncReply;
}

export async function stopSyncFetch(): Promise<void> {
  await worker?.terminate();
  worker = undefined;
}
