// A command's Output that keeps what it printed, for tests that call a command in-process.
import type { Output } from '../../harness/cli/output.ts';

export function captureOutput(): Output & { stdout: string; stderr: string } {
  const o = {
    stdout: '',
    stderr: '',
    tty: false,
    out(t: string) {
      o.stdout += t + '\n';
    },
    err(t: string) {
      o.stderr += t + '\n';
    },
  };
  return o;
}
