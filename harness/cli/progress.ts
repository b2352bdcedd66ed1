// One line on the terminal that updates in place while a strategy runs; nothing when the output
// is not a terminal or --json was asked for.
import type { LiveStats } from '../load/driver.ts';
import type { Output } from './output.ts';

export function progressLine(o: Output): { update(strategy: string, round: number, s: LiveStats): void; done(): void } {
  let shown = false;
  return {
    update(strategy, round, s) {
      if (!o.tty) return;
      const pct = Math.min(100, (s.elapsedMs / s.totalMs) * 100).toFixed(0);
      const line = `${s.phase.padEnd(7)} ${strategy} round ${round} ${pct}%  ${s.opsPerSec.toFixed(0)} ops/s  write p99 ${s.writeP99Ms.toFixed(2)} ms  errors ${s.errors}`;
      process.stderr.write(`\r\x1b[2K${line}`);
      shown = true;
    },
    done() {
      if (shown) process.stderr.write('\r\x1b[2K');
      shown = false;
    },
  };
}
