// Is the harness itself the bottleneck? When Node's event loop lags or the process uses a whole
// core, latencies grow on our side of the socket and would be mistaken for the server's.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

export interface LoopDelayReport {
  /** event-loop delay beyond the timer's own period, ms */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  loopDelayMeanMs: number;
  /** CPU time of the process (user + system) over wall time, % of one core */
  cpuPct: number;
  saturated: boolean;
  /** why it counts as saturated, for the report */
  reason?: string;
}

export interface LoopDelayOptions {
  /** sampling period of the monitor, ms */
  resolutionMs?: number;
  /** p99 loop delay above this marks the run saturated */
  maxP99Ms?: number;
  /** CPU share of one core at or above this marks the run saturated */
  maxCpuPct?: number;
  /** 'thread': in a worker thread, whose CPU time Node 20 cannot tell apart from the process's,
   *  the share of time its event loop was busy (event-loop utilization) stands for it; on a
   *  machine short of cores that includes time spent waiting for one */
  cpu?: 'process' | 'thread';
}

export interface LoopDelayMonitor {
  stop(): LoopDelayReport;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export function startLoopDelayMonitor(opts: LoopDelayOptions = {}): LoopDelayMonitor {
  const resolutionMs = opts.resolutionMs ?? 10;
  const maxP99Ms = opts.maxP99Ms ?? 20;
  const maxCpuPct = opts.maxCpuPct ?? 90;
  const h = monitorEventLoopDelay({ resolution: resolutionMs });
  h.enable();
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const wall0 = process.hrtime.bigint();
  let report: LoopDelayReport | undefined;
  return {
    stop(): LoopDelayReport {
      if (report) return report;
      h.disable();
      const cpu = process.cpuUsage(cpu0);
      const wallUs = Number(process.hrtime.bigint() - wall0) / 1000;
      // the monitor records the whole interval between its timer's runs, period included
      const beyond = (ns: number) => (h.count === 0 ? 0 : Math.max(0, ns / 1e6 - resolutionMs));
      const p99 = beyond(h.percentile(99));
      const max = beyond(h.max);
      const mean = beyond(h.mean);
      const cpuPct =
        opts.cpu === 'thread'
          ? performance.eventLoopUtilization(elu0).utilization * 100
          : wallUs > 0
            ? ((cpu.user + cpu.system) / wallUs) * 100
            : 0;
      const reasons: string[] = [];
      if (p99 > maxP99Ms) reasons.push(`event-loop delay p99 ${round2(p99)} ms > ${maxP99Ms} ms`);
      if (cpuPct >= maxCpuPct) reasons.push(`harness CPU ${Math.round(cpuPct)}% of a core`);
      report = {
        loopDelayP99Ms: round2(p99),
        loopDelayMaxMs: round2(max),
        loopDelayMeanMs: round2(mean),
        cpuPct: round2(cpuPct),
        saturated: reasons.length > 0,
      };
      if (reasons.length) report.reason = reasons.join('; ');
      return report;
    },
  };
}
