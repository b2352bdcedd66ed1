// When the harness's Redis went away and came back, from its client's own events: a check that
// fails because Redis is gone must say so, not repeat ioredis's internal message.
import type { Redis } from 'ioredis';
import { describeUrl } from '../redact.ts';
import { isRedisDown } from '../load/error-kind.ts';

export interface Outage {
  /** epoch ms */
  from: number;
  /** epoch ms when the client was ready again; undefined while it is down */
  to?: number;
}

export interface RedisWatch {
  outages(): Outage[];
  /** down right now */
  down(): boolean;
  /** a readable reason for an error met while reading Redis, naming the server and the outage */
  explain(err: unknown, since: number): string;
  stop(): void;
}

export function watchRedis(client: Redis, url: string): RedisWatch {
  const outages: Outage[] = [];
  const open = () => outages.at(-1)?.to === undefined && outages.length > 0;
  const onClose = () => {
    if (!open()) outages.push({ from: Date.now() });
  };
  const onReady = () => {
    const last = outages.at(-1);
    if (last && last.to === undefined) last.to = Date.now();
  };
  client.on('close', onClose);
  client.on('ready', onReady);
  return {
    outages: () => outages.map((o) => ({ ...o })),
    down: open,
    explain(err, since) {
      const msg = (err as Error)?.message ?? String(err);
      const during = outages.filter((o) => (o.to ?? Infinity) >= since);
      if (!during.length && !open()) return msg;
      const o = during[0] ?? outages.at(-1)!;
      const back = o.to === undefined ? 'and is not back' : `and was back after ${((o.to - o.from) / 1000).toFixed(1)} s`;
      // ioredis's own words add nothing to "it went away"; any other error is kept
      return `Redis at ${describeUrl(url)} went away at ${new Date(o.from).toISOString()} ${back}${isRedisDown(err) ? '' : ` (${msg})`}`;
    },
    stop() {
      client.off('close', onClose);
      client.off('ready', onReady);
    },
  };
}
