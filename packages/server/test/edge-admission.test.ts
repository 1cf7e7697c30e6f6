import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { startHarness } from './fixtures/http-server.js';

const HEADER = '{"kind":"header","format":"tabagent-jsonl","version":1,"exportedAt":0,"lastSeq":0}\n';

/**
 * Issue 16, finding 11: under more load than it can serve the server queued everything
 * (p99 26 s, memory 310 MB → 1.68 GB). Past `maxInFlight` it now sheds at once with
 * 503 `UNAVAILABLE` and `Retry-After`, and serves again as soon as load falls.
 */
describe('admission control (issue 16, finding 11)', () => {
  it('answers 503 with Retry-After past maxInFlight, keeps health answering, and recovers', async () => {
    const h = await startHarness({ server: { maxInFlight: 3 } });
    const open: { req: http.ClientRequest; done: Promise<number> }[] = [];
    try {
      // Three uploads whose bodies never end: three requests in flight.
      for (let i = 0; i < 3; i++) {
        const url = new URL(`${h.server.url}/v1/import/upload?ifExists=ignore`);
        let answered!: (status: number) => void;
        const done = new Promise<number>((resolve) => (answered = resolve));
        const req = http.request({ host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: 'POST', headers: { 'content-type': 'application/x-ndjson' } }, (res) => {
          res.resume();
          res.on('end', () => answered(res.statusCode ?? 0));
        });
        req.write(HEADER);
        open.push({ req, done });
      }
      // Wait until the server holds all three.
      let busy = await h.request('GET', '/v1/chats');
      while (busy.status !== 503) busy = await h.request('GET', '/v1/chats');
      expect(busy.headers.get('retry-after')).toBe('1');
      expect(busy.body.error).toMatchObject({ code: 'UNAVAILABLE' });
      expect((await h.request('POST', '/v1/chats', { body: { title: 'shed' } })).status).toBe(503);
      expect((await h.request('GET', '/v1/health')).status).toBe(200);
      for (const { req } of open) req.end();
      expect(await Promise.all(open.map((o) => o.done))).toEqual([200, 200, 200]);
      expect((await h.request('POST', '/v1/chats', { body: { title: 'served again' } })).status).toBe(201);
    } finally {
      for (const { req } of open) req.destroy();
      await h.stop();
    }
  });
});
