import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHarness, type HttpHarness } from './fixtures/http-server.js';
import { TestSocket } from './fixtures/ws-client.js';

const EXTENSION = 'chrome-extension://abcdefghijklmnop';

/** A raw request with exactly the headers a browser would send (fetch adds its own). */
function rawRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Opens a WebSocket as a page of `origin` would; resolves with the HTTP status of a refusal, or 101. */
function upgradeStatus(url: string, origin: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/u, 'ws')}/v1/ws`, origin === undefined ? {} : { origin });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.once('error', (err) => (err.message.includes('Unexpected server response') ? undefined : reject(err)));
  });
}

/**
 * Issue 16, finding 6: any web page could reach the loopback server — a WebSocket with
 * `Origin: http://evil.example` or `null` streamed every change, and "simple" cross-site
 * POSTs without a body reindexed or purged dead letters. Now foreign origins are refused
 * (WebSocket included) and a POST must carry the JSON content type, which a browser sends
 * cross-site only after a CORS preflight the server refuses.
 */
describe('the browser threat model (issue 16, finding 6)', () => {
  let h: HttpHarness;
  beforeAll(async () => {
    h = await startHarness({ weaver: true, server: { corsOrigins: [EXTENSION] } });
  });
  afterAll(async () => h.stop());

  it('refuses a WebSocket from a foreign or null origin, with or without an allow-list', async () => {
    expect(await upgradeStatus(h.server.url, 'http://evil.example')).toBe(403);
    expect(await upgradeStatus(h.server.url, 'null')).toBe(403);
    expect(await upgradeStatus(h.server.url, EXTENSION)).toBe(101);
    expect(await upgradeStatus(h.server.url, undefined)).toBe(101);
    const plain = await startHarness();
    try {
      expect(await upgradeStatus(plain.server.url, 'http://evil.example')).toBe(403);
      expect(await upgradeStatus(plain.server.url, 'null')).toBe(403);
      // The server's own pages (its /docs) are same-origin.
      expect(await upgradeStatus(plain.server.url, plain.server.url)).toBe(101);
    } finally {
      await plain.stop();
    }
  });

  it('an allowed WebSocket still streams events', async () => {
    const socket = await TestSocket.connect(h.server.url, { headers: { origin: EXTENSION } });
    try {
      socket.send({ subscribe: {} });
      await socket.next((m) => m.type === 'subscribed');
      await h.request('POST', '/v1/chats', { body: { title: 'seen' } });
      expect((await socket.next((m) => m.type === 'event')).event.kind).toBe('change');
    } finally {
      socket.ws.close();
    }
  });

  it('refuses simple cross-site POSTs: no body, text/plain, forms', async () => {
    const routes = ['/v1/reindex', '/v1/verify', '/v1/weaver/dead-letters/purge', '/v1/weaver/dead-letters/retry', '/v1/chats', '/v1/backup', '/v1/export'];
    const simple: { headers: Record<string, string>; body?: string }[] = [
      { headers: {} },
      { headers: { 'content-type': 'text/plain' }, body: '{"title":"x"}' },
      { headers: { 'content-type': 'text/plain;charset=UTF-8' }, body: '{}' },
      { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=b' },
      { headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: '--x--' },
    ];
    for (const route of routes) {
      for (const request of simple) {
        const res = await rawRequest(`${h.server.url}${route}`, { method: 'POST', ...request });
        expect(res.status, `${route} ${JSON.stringify(request.headers)}`).toBe(415);
        expect(JSON.parse(res.body).error).toMatchObject({ code: 'UNSUPPORTED', field: 'body' });
      }
    }
    // The same from a page of a foreign origin is refused for its origin first.
    const forged = await rawRequest(`${h.server.url}/v1/reindex`, { method: 'POST', headers: { origin: 'http://evil.example', 'content-type': 'application/json' }, body: '{}' });
    expect(forged.status).toBe(403);
    expect(JSON.parse(forged.body).error.code).toBe('UNAUTHENTICATED');
    const nullOrigin = await rawRequest(`${h.server.url}/v1/weaver/dead-letters/purge`, { method: 'POST', headers: { origin: 'null', 'content-type': 'application/json' }, body: '{}' });
    expect(nullOrigin.status).toBe(403);
  });

  it('accepts the JSON POSTs of real clients, with an empty body too', async () => {
    for (const route of ['/v1/verify', '/v1/weaver/dead-letters/purge']) {
      expect((await rawRequest(`${h.server.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' } })).status, route).toBe(200);
      expect((await rawRequest(`${h.server.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json', origin: EXTENSION }, body: '{}' })).status, route).toBe(200);
    }
  });
});
