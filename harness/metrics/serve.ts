// The /metrics endpoint of a run or of the check exporter: a plain node:http server on loopback
// by default. A port that cannot be had is bad input (exit 2), found before anything is deployed.
import http from 'node:http';
import type { Registry } from 'prom-client';
import { UsageError } from '../errors.ts';
import { intFlag, listenError } from '../cli/args.ts';

/** A port flag's value: 1-65535 (0, any free port, is for tests, which pass it directly). */
export function metricsPort(flag: string, v: string): number {
  const port = intFlag(flag, v, { min: 1, fallback: 0 });
  if (port > 65535) throw new UsageError(`${flag}: expected a port from 1 to 65535, got ${JSON.stringify(v)}`);
  return port;
}

export interface MetricsServer {
  /** http://host:port/metrics */
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface ServeOptions {
  host: string;
  port: number;
  /** the flag that named the port, for the message */
  flag: string;
}

export async function serveMetrics(registry: Registry, o: ServeOptions): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    if (url !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('counterbench serves /metrics only\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (e: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${e.message}\n`),
    );
  });
  // a scraper's kept-alive connection must not hold the process open at the end
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(listenError(e, { host: o.host, port: o.port, portFlag: o.flag }) ?? e));
    server.listen(o.port, o.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    url: `http://${host}:${port}/metrics`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
