import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ModelCache } from '@tabagent/model-cache';
import { FakeHub, makeContent } from '../../model-cache/test/fixtures/fake-hub.js';
import { buildApp, startHttpServer } from '../src/index.js';
import { startHarness, type HttpHarness } from './fixtures/http-server.js';
import { openTestDb } from './fixtures/test-db.js';
import { TestSocket } from './fixtures/ws-client.js';

const TOKEN = 'correct-horse-battery-staple';

/** A raw request, so tests control headers fetch will not let them set (Host). */
function rawRequest(url: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('binding and tokens', () => {
  it('refuses a non-loopback bind without a token', async () => {
    const { db, cleanup } = await openTestDb();
    try {
      for (const host of ['0.0.0.0', '::', '192.168.1.10']) {
        await expect(startHttpServer(db, { host, port: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'token' } });
        await expect(buildApp(db, { host })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      }
      await expect(startHttpServer(db, { port: 70_000 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'port' } });
      await expect(startHttpServer(db, { token: '' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'token' } });
    } finally {
      await cleanup();
    }
  });

  describe('on every interface, with a token', () => {
    let h: HttpHarness;
    let base: string;
    beforeAll(async () => {
      h = await startHarness({ server: { host: '0.0.0.0', token: TOKEN, corsOrigins: ['chrome-extension://abcdefghijklmnop'] } });
      base = `http://127.0.0.1:${h.server.port}`;
    });
    afterAll(async () => h.stop());

    it('requires the bearer token on every route but health', async () => {
      expect(h.server.host).toBe('0.0.0.0');
      const health = await fetch(`${base}/v1/health`);
      expect(health.status).toBe(200);
      for (const path of ['/v1/chats', '/v1/stats', '/v1/openapi.json', '/docs', '/v1/nope']) {
        const missing = await fetch(`${base}${path}`);
        expect(missing.status, path).toBe(401);
        expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/u);
        expect(((await missing.json()) as any).error).toMatchObject({ code: 'UNAUTHENTICATED', message: 'missing bearer token' });
      }
      // A browser extension can read the refusal (CORS headers on the 401 too).
      const fromExtension = await fetch(`${base}/v1/chats`, { headers: { origin: 'chrome-extension://abcdefghijklmnop' } });
      expect(fromExtension.status).toBe(401);
      expect(fromExtension.headers.get('access-control-allow-origin')).toBe('chrome-extension://abcdefghijklmnop');
      const wrong = await fetch(`${base}/v1/chats`, { headers: { authorization: 'Bearer not-the-token' } });
      expect(wrong.status).toBe(401);
      expect(((await wrong.json()) as any).error.message).toBe('wrong bearer token');
      const basic = await fetch(`${base}/v1/chats`, { headers: { authorization: `Basic ${TOKEN}` } });
      expect(basic.status).toBe(401);
      const query = await fetch(`${base}/v1/chats?token=${TOKEN}`);
      expect(query.status).toBe(401);

      const ok = await fetch(`${base}/v1/chats`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: '{"title":"secret"}' });
      expect(ok.status).toBe(201);
      const doc = (await (await fetch(`${base}/v1/openapi.json`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as any;
      expect(doc.security).toEqual([{ bearerAuth: [] }]);
      expect(doc.paths['/v1/health'].get.security).toEqual([]);
    });

    it('takes the WebSocket token from the header or the query string, and refuses the upgrade without it', async () => {
      const refused = new WebSocket(`ws://127.0.0.1:${h.server.port}/v1/ws`);
      refused.on('error', () => {});
      const [, response] = (await once(refused, 'unexpected-response')) as [unknown, http.IncomingMessage];
      expect(response.statusCode).toBe(401);
      refused.terminate();

      for (const options of [{ token: TOKEN }, { query: `?token=${encodeURIComponent(TOKEN)}` }]) {
        const ws = await TestSocket.connect(base, options);
        const chat = (await h.request('POST', '/v1/chats', { body: { title: 'ws' }, headers: { authorization: `Bearer ${TOKEN}` } })).body;
        await ws.subscribe({ chatId: chat.id });
        await h.request('POST', `/v1/chats/${chat.id}/messages`, { body: { sender: 's', role: 'user', content: 'x' }, headers: { authorization: `Bearer ${TOKEN}` } });
        expect((await ws.next((m) => m.type === 'event')).event.change.chatId).toBe(chat.id);
        ws.close();
      }
    });
  });
});

describe('logging', () => {
  it('logs to the stream it is given, never the token of a WebSocket URL', async () => {
    const lines: string[] = [];
    const stream = { write: (line: string) => void lines.push(line) };
    const h = await startHarness({ server: { host: '0.0.0.0', token: TOKEN, logger: { level: 'info', stream } } });
    try {
      const ws = await TestSocket.connect(`http://127.0.0.1:${h.server.port}`, { query: `?token=${TOKEN}` });
      ws.close();
      await ws.closed;
      await fetch(`http://127.0.0.1:${h.server.port}/v1/health`);
    } finally {
      await h.stop();
    }
    const log = lines.join('');
    expect(log).toContain('/v1/health');
    expect(log).toContain('/v1/ws?token=[redacted]');
    expect(log).not.toContain(TOKEN);
  });
});

describe('loopback without a token', () => {
  let h: HttpHarness;
  beforeAll(async () => {
    h = await startHarness({ server: { corsOrigins: ['chrome-extension://abcdefghijklmnop'] } });
  });
  afterAll(async () => h.stop());

  it('binds 127.0.0.1 and refuses requests addressed to another host name (DNS rebinding)', async () => {
    expect(h.server.host).toBe('127.0.0.1');
    expect(h.server.url).toBe(`http://127.0.0.1:${h.server.port}`);
    for (const host of [`localhost:${h.server.port}`, `127.0.0.1:${h.server.port}`, `[::1]:${h.server.port}`]) {
      expect((await rawRequest(`${h.server.url}/v1/activity`, { headers: { host } })).status, host).toBe(200);
    }
    const rebound = await rawRequest(`${h.server.url}/v1/activity`, { headers: { host: `attacker.example:${h.server.port}` } });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body).error.code).toBe('UNAUTHENTICATED');
  });

  it('answers CORS only for allowed origins', async () => {
    const origin = 'chrome-extension://abcdefghijklmnop';
    const preflight = await rawRequest(`${h.server.url}/v1/chats`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(origin);
    expect(String(preflight.headers['access-control-allow-methods'])).toContain('POST');
    expect(String(preflight.headers['access-control-allow-headers'])).toContain('authorization');

    const allowed = await fetch(`${h.server.url}/v1/activity`, { headers: { origin } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(origin);
    const foreign = await fetch(`${h.server.url}/v1/activity`, { headers: { origin: 'https://evil.example' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const foreignPreflight = await rawRequest(`${h.server.url}/v1/chats`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(foreignPreflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('sends no CORS headers at all without an allow-list, and refuses browser origins', async () => {
    const plain = await startHarness();
    try {
      const res = await fetch(`${plain.server.url}/v1/activity`, { headers: { origin: 'chrome-extension://abcdefghijklmnop' } });
      expect(res.status).toBe(403);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await plain.stop();
    }
  });
});

describe('graceful shutdown', () => {
  it('lets an in-flight request finish, refuses new ones, and leaves the database to its owner', async () => {
    const hub = new FakeHub();
    await hub.start();
    await hub.addRepo('acme/slow', { 'weights.bin': makeContent(256 * 1024, 3) });
    const cacheDir = await mkdtemp(join(tmpdir(), 'tabagent-http-drain-'));
    const models = new ModelCache({ cacheDir, endpoint: hub.endpoint, env: {}, retries: 0 });
    const h = await startHarness({ server: { models } });
    try {
      const release = hub.hold('weights.bin');
      const inFlight = h.request('POST', '/v1/models/pull', { body: { model: 'acme/slow', stream: false } });
      while (hub.requests.every((r) => r.kind !== 'cdn' && r.kind !== 'resolve')) await new Promise((r) => setTimeout(r, 10));
      let closed = false;
      const closing = h.server.close().then(() => (closed = true));
      await new Promise((r) => setTimeout(r, 100));
      expect(closed).toBe(false);
      // New work is turned away while the old finishes: a new connection is refused, a kept-alive one gets 503.
      const late = await fetch(`${h.server.url}/v1/health`).then((r) => r.status, () => 'refused');
      expect([503, 'refused']).toContain(late);
      release();
      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(res.body.repoId).toBe('acme/slow');
      await closing;
      await expect(fetch(`${h.server.url}/v1/health`)).rejects.toThrow();
      expect(h.db.status).toBe('open');
      expect((await h.db.chats()).total).toBe(0);
    } finally {
      await h.stop();
      await models.close();
      await hub.close();
      await rm(cacheDir, { recursive: true, force: true });
    }
  });
});
