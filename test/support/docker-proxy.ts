// A Docker API proxy on a unix socket of its own, in front of the real engine: `clean` run with
// DOCKER_HOST pointing at it sees only the containers a test made (its listing gains the test's
// label filter, so other runs' leftovers on this shared engine are never touched), and a test can
// make the engine refuse one call the way a real one does (409 while a removal is in progress, 403
// from an authorization plugin), which the real engine cannot be made to do on cue.
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface DockerProxy {
  /** DOCKER_HOST for the proxy */
  dockerHost: string;
  /** answer calls whose method and path match with this status and message, instead of the engine */
  refuse(method: string, pathPattern: RegExp, status: number, message: string): void;
  close(): Promise<void>;
}

export async function dockerProxy(engineSocket: string, scopeLabel: string): Promise<DockerProxy> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-docker-proxy-'));
  const socketPath = path.join(dir, 'docker.sock');
  const refusals: Array<{ method: string; pattern: RegExp; status: number; message: string }> = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://docker');
    const refusal = refusals.find((r) => r.method === req.method && r.pattern.test(url.pathname));
    if (refusal) {
      req.resume();
      res.writeHead(refusal.status, { 'content-type': 'application/json' }).end(JSON.stringify({ message: refusal.message }));
      return;
    }
    if (/\/containers\/json$/.test(url.pathname)) {
      const filters = JSON.parse(url.searchParams.get('filters') || '{}') as Record<string, string[]>;
      filters.label = [...(filters.label ?? []), scopeLabel];
      url.searchParams.set('filters', JSON.stringify(filters));
    }
    const upstream = http.request({ socketPath: engineSocket, path: url.pathname + url.search, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    upstream.on('error', (e) => res.writeHead(502).end(JSON.stringify({ message: e.message })));
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    dockerHost: `unix://${socketPath}`,
    refuse: (method, pattern, status, message) => refusals.push({ method, pattern, status, message }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          fs.rmSync(dir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}
