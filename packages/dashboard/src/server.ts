// `ugp dashboard serve`: the same pages, live from the store while runs train. Safe by construction: binds
// 127.0.0.1 unless told otherwise, opens the store read-only, answers only GET/HEAD, serves from disk only
// the listed assets and recorded artifact files (looked up by name in maps, never by joining a request
// path), and refuses foreign Host headers on a loopback bind (DNS rebinding).
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';
import { openStore, type TrackingStore } from '@ugpnet/store';
import { artifactFiles } from './artifact-urls.js';
import { assetFiles } from './assets.js';
import { DashboardError } from './errors.js';
import { renderPage } from './page.js';
import { readSnapshot, snapshotJson, storeFingerprint } from './snapshot.js';

export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = '127.0.0.1';
export const POLL_URL = 'api/data.json';

export interface ServeOptions {
  /** The store file (opened read-only; must exist). */
  db: string;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** How often open pages ask for new data. */
  pollMs?: number;
}

export interface DashboardServer {
  url: string;
  host: string;
  port: number;
  /** The read-only store the server reads (exposed for tests). */
  store: TrackingStore;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
};

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export async function serveDashboard(options: ServeOptions): Promise<DashboardServer> {
  const host = options.host ?? DEFAULT_HOST;
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new DashboardError(`--port must be an integer in 0..65535, got ${options.port}`);
  }
  const store = openStore(options.db, { readonly: true });
  const assets = assetFiles();
  const page = renderPage({ pollUrl: POLL_URL, pollMs: options.pollMs ?? 5000 });
  let cache: { version: string; json: string; artifacts: Map<string, string> } | undefined;

  /** The snapshot and artifact map, re-read only when the store's fingerprint changed. */
  const current = () => {
    const version = storeFingerprint(store);
    if (cache?.version !== version) {
      const data = readSnapshot(store, { live: true });
      cache = { version: data.version, json: snapshotJson(data), artifacts: artifactFiles(store) };
    }
    return cache;
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; img-src 'self' data:; style-src 'self'; connect-src 'self'; frame-ancestors 'none'",
    );
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, 'method not allowed');
    }
    if (LOOPBACK.has(host) && !LOOPBACK.has(hostName(req.headers.host))) {
      return send(res, 403, 'forbidden host');
    }
    const segments = pathSegments(req.url ?? '/');
    if (!segments) return send(res, 400, 'bad path');
    const path = segments.join('/');
    if (path === '' || path === 'index.html') return send(res, 200, page, TYPES['.html']);
    if (path === 'data.js')
      return send(res, 200, `window.UGP_DATA = ${current().json};\n`, TYPES['.js'], true);
    if (path === POLL_URL) {
      const since = new URL(req.url ?? '/', 'http://localhost').searchParams.get('since');
      const now = current();
      if (since === now.version) return send(res, 204, '', undefined, true);
      return send(res, 200, now.json, TYPES['.json'], true);
    }
    const asset = assets.get(path);
    if (asset) return sendFile(res, asset);
    if (segments[0] === 'artifacts' && segments.length === 3) {
      const file = current().artifacts.get(`${segments[1]}/${segments[2]}`);
      if (file) return sendFile(res, file);
    }
    return send(res, 404, 'not found');
  };

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      if (!res.headersSent) send(res, 500, `error: ${(err as Error).message}`);
      else res.end();
    }
  });
  try {
    await listen(server, port, host);
  } catch (err) {
    store.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new DashboardError(`--port ${port} is in use on ${host}; pick another port`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      throw new DashboardError(`--host ${host} is not an address of this machine`);
    throw err;
  }
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}/`,
    host,
    port: address.port,
    store,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => {
          store.close();
          done();
        });
        server.closeAllConnections();
      }),
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      done();
    });
  });
}

/**
 * The request path as decoded segments, or undefined for anything suspicious: dot segments, empty
 * segments inside the path, encoded slashes or backslashes, NUL, or bad percent-encoding.
 */
export function pathSegments(url: string): string[] | undefined {
  const raw = url.split('?')[0]!.split('#')[0]!;
  if (!raw.startsWith('/')) return undefined;
  const parts = raw.slice(1).split('/');
  if (parts.length === 1 && parts[0] === '') return [];
  const out: string[] = [];
  for (const part of parts) {
    let s: string;
    try {
      s = decodeURIComponent(part);
    } catch {
      return undefined;
    }
    if (s === '' || s === '.' || s === '..' || /[/\\\0]/.test(s)) return undefined;
    out.push(s);
  }
  return out;
}

function hostName(header: string | undefined): string {
  if (!header) return '';
  if (header.startsWith('[')) return header.slice(0, header.indexOf(']') + 1);
  return header.split(':')[0]!.toLowerCase();
}

function send(
  res: ServerResponse,
  status: number,
  body: string,
  type = 'text/plain; charset=utf-8',
  noCache = false,
) {
  res.statusCode = status;
  if (status !== 204) res.setHeader('Content-Type', type);
  if (noCache) res.setHeader('Cache-Control', 'no-store');
  res.end(res.req.method === 'HEAD' || status === 204 ? undefined : body);
}

function sendFile(res: ServerResponse, file: string) {
  let body: Buffer;
  try {
    body = readFileSync(file);
  } catch {
    return send(res, 404, 'not found');
  }
  res.statusCode = 200;
  res.setHeader('Content-Type', TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream');
  res.setHeader('Content-Length', body.length);
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
