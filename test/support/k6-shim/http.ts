// A minimal k6/http for running an exported script in Node: real requests, synchronous as k6's.
import { syncFetch } from './sync-fetch.ts';

export interface ShimParams {
  headers?: Record<string, string>;
  tags?: Record<string, string>;
}

export interface ShimResponse {
  status: number;
  body: string;
  json(): unknown;
}

/** every request the script made, in order */
export const requests: Array<{ method: string; url: string; body: string | null; tags: Record<string, string>; status: number }> = [];

function request(method: string, url: string, body: string | null, params?: ShimParams): ShimResponse {
  const r = syncFetch(url, method, params?.headers ?? {}, body);
  requests.push({ method, url, body, tags: params?.tags ?? {}, status: r.status });
  return { status: r.status, body: r.body, json: () => JSON.parse(r.body) };
}

export default {
  get: (url: string, params?: ShimParams) => request('GET', url, null, params),
  post: (url: string, body: string | null, params?: ShimParams) => request('POST', url, body, params),
  del: (url: string, body: string | null, params?: ShimParams) => request('DELETE', url, body, params),
};
