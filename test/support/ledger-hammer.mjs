// A worker thread for test/load-workers-merge.test.ts: counts operations into a shared ledger as
// fast as it can, so that two of them at once would lose updates without Atomics.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { Ledger } = await import('../../harness/measure/ledger.ts');
const ledger = new Ledger(workerData.ledger);
const { users, rounds, seed } = workerData;
// both threads start counting at the same moment
const go = new Int32Array(workerData.go);
parentPort.postMessage('ready');
Atomics.wait(go, 0, 0);
let x = seed;
for (let i = 0; i < rounds; i++) {
  x = (Math.imul(x, 1103515245) + 12345) >>> 0;
  const u = 1 + (x % users);
  ledger.insertBegun(u);
  ledger.insertAcked(u, i);
  if (i % 4 === 0) {
    ledger.deleteBegun(u);
    ledger.deleteAcked(u, true);
  }
  if (i % 100 === 0) ledger.operationInDoubt();
}
const acks = ledger.ackTimesOut(0);
parentPort.postMessage(acks, [acks.users.buffer, acks.at.buffer]);
