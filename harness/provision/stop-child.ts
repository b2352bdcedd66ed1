import type { ChildProcess } from 'node:child_process';

const exited = (c: ChildProcess): boolean => c.exitCode !== null || c.signalCode !== null;

function exitWithin(c: ChildProcess, ms: number): Promise<void> {
  if (exited(c)) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    c.once('exit', done);
    function done() {
      clearTimeout(t);
      c.off('exit', done);
      resolve();
    }
  });
}

/** Sends `first` and waits up to graceMs for the child to exit, then SIGKILLs it and waits for that. */
export async function stopChild(c: ChildProcess, first: NodeJS.Signals, graceMs: number): Promise<void> {
  if (exited(c) || c.pid === undefined) return;
  c.kill(first);
  await exitWithin(c, graceMs);
  if (exited(c)) return;
  c.kill('SIGKILL');
  await exitWithin(c, 5000);
}
