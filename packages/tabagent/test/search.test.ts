// Conversation-aware search on small hand-written conversations: the real facade, real
// storage and indexes, the builtin provider and the weaver (so messages are embedded
// and entities linked the way a user's would be).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TabAgent } from '../src/index.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
const quiet = { info: () => {}, warn: () => {} };

async function openDb(): Promise<TabAgent> {
  const dir = await mkdtemp(join(tmpdir(), 'tabagent-search-'));
  dirs.push(dir);
  return TabAgent.open(dir, { ml: { provider: 'builtin' }, mlInWorker: false, logger: quiet });
}

const day = (iso: string): number => Date.parse(`${iso}T12:00:00Z`);

/** Writes turns into one chat per session, then waits for enrichment; returns the message ids by label. */
async function converse(db: TabAgent, sessions: { date: string; turns: [label: string, sender: string, text: string][] }[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const session of sessions) {
    const chat = await db.createChat({ title: session.date });
    for (const [label, sender, content] of session.turns) {
      const message = await db.addMessage(chat.id, { sender, role: 'user', content, timestamp: day(session.date) });
      ids.set(label, message.id);
    }
  }
  await db.whenEnriched();
  return ids;
}

describe('conversation-aware search', () => {
  it('reads a participant named in the query as the sender, not as a search word', async () => {
    await using db = await openDb();
    const ids = await converse(db, [
      {
        date: '2023-03-01',
        turns: [
          ['greeting', 'Nate', 'Bye Joanna! Good luck with the writing, Joanna!'],
          ['novel', 'Joanna', 'I finished the first draft of my novel about a lighthouse keeper.'],
          ['natewrites', 'Nate', 'I wrote a short poem about my turtles.'],
        ],
      },
    ]);
    const { hits } = await db.search('What did Joanna write?', { limit: 3, explain: true });
    expect(hits[0]?.node.id).toBe(ids.get('novel'));
    expect(hits[0]?.why?.participant).toBe('Joanna');
    // Possessives and short forms name the participant too.
    const possessive = await db.search("What is Joanna's draft about?", { limit: 1 });
    expect(possessive.hits[0]?.node.id).toBe(ids.get('novel'));
    const mel = await db.search('What did Jo write?', { limit: 1, explain: true }); // two letters: too short to be a short form
    expect(mel.hits[0]?.why?.participant).toBeUndefined();
    const short = await db.search('What did Joan write?', { limit: 1, explain: true });
    expect(short.hits[0]?.why?.participant).toBe('Joanna');
    // Without participant reading, the greeting that names her wins on the word "Joanna".
    const plain = await db.search('What did Joanna write?', { limit: 1, participants: false });
    expect(plain.hits[0]?.node.id).toBe(ids.get('greeting'));
  });

  it('returns nothing for a query nothing is about (relevance floor), and all hits with minScore 0', async () => {
    await using db = await openDb();
    await converse(db, [
      {
        date: '2023-03-01',
        turns: [
          ['a', 'Ann', 'We painted the fence blue last weekend.'],
          ['b', 'Ben', 'My cat sleeps on the windowsill every afternoon.'],
          ['c', 'Ann', 'Tomatoes grow best in full sun.'],
        ],
      },
    ]);
    expect((await db.search('quantum chromodynamics lecture', { types: ['Message'] })).hits).toEqual([]);
    expect((await db.search('quantum chromodynamics lecture', { types: ['Message'], minScore: 0 })).hits.length).toBe(3);
    // A word in common is always relevant.
    expect((await db.search('blue fence', { types: ['Message'] })).hits.length).toBeGreaterThan(0);
  });

  it('fuses by the provider quality: a lexical embedder cannot outvote the keyword ranking', async () => {
    await using db = await openDb();
    const ids = await converse(db, [
      {
        date: '2023-03-01',
        turns: [
          ['exact', 'Ann', 'The violin recital is on Friday evening.'],
          ['near', 'Ben', 'Violins, violas and violinists everywhere, a violinist convention of violin makers!'],
        ],
      },
    ]);
    const keyword = await db.search('violin recital', { types: ['Message'], mode: 'keyword' });
    const hybrid = await db.search('violin recital', { types: ['Message'] });
    expect(keyword.hits[0]?.node.id).toBe(ids.get('exact'));
    expect(hybrid.hits[0]?.node.id).toBe(ids.get('exact'));
  });

  it('reads dates and periods in the query as a time condition', async () => {
    await using db = await openDb();
    const ids = await converse(db, [
      { date: '2023-04-20', turns: [['april', 'Ann', 'We went hiking in the hills today.']] },
      { date: '2023-05-08', turns: [['may', 'Ann', 'We went hiking by the lake today.']] },
      { date: '2023-06-15', turns: [['june', 'Ann', 'We went hiking again this morning.']] },
    ]);
    const inMay = await db.search('Where did we go hiking in May 2023?', { types: ['Message'], limit: 3, explain: true });
    expect(inMay.hits[0]?.node.id).toBe(ids.get('may'));
    expect(inMay.hits[0]?.why?.dates).toEqual({ from: '2023-05-01T00:00:00.000Z', to: '2023-06-01T00:00:00.000Z' });
    expect(inMay.hits).toHaveLength(3); // the other hikes follow
    const onDay = await db.search('hiking on 15 June 2023', { types: ['Message'], limit: 1 });
    expect(onDay.hits[0]?.node.id).toBe(ids.get('june'));
    const relative = await db.search('hiking two weeks ago', { types: ['Message'], limit: 1, asOf: day('2023-05-22') });
    expect(relative.hits[0]?.node.id).toBe(ids.get('may'));
  });

  it('resolves relative dates in messages against their own timestamp', async () => {
    await using db = await openDb();
    const ids = await converse(db, [
      { date: '2023-05-10', turns: [['before', 'Ann', 'The lake was still too cold for swimming.']] },
      { date: '2023-06-03', turns: [['relative', 'Ann', 'We went swimming in the lake last week!']] },
      { date: '2023-07-01', turns: [['after', 'Ann', 'Swimming in the lake again today.']] },
    ]);
    // Said on 3 June, "last week" is about 24–30 May: a question about 27 May finds it.
    const { hits } = await db.search('Where did Ann go swimming on 27 May 2023?', { types: ['Message'], limit: 3, explain: true });
    expect(hits[0]?.node.id).toBe(ids.get('relative'));
    expect(hits[0]?.why?.dates?.from).toBe('2023-05-27T00:00:00.000Z');
    expect(hits.slice(1).map((h) => h.why?.dates)).toEqual([undefined, undefined]);
  });

  it('matches irregular forms and possessives through lemmas', async () => {
    await using db = await openDb();
    const ids = await converse(db, [
      {
        date: '2023-03-01',
        turns: [
          ['lost', 'Ann', 'I lost my grandmother’s ring at the beach.'],
          ['other', 'Ben', 'The beach was crowded.'],
        ],
      },
    ]);
    const { hits } = await db.search('Did Ben ever lose a ring that was his grandmother?', { types: ['Message'], mode: 'keyword', participants: false });
    expect(hits[0]?.node.id).toBe(ids.get('lost'));
  });

  it('finds a reply through the question it answers (neighbour context)', async () => {
    await using db = await openDb();
    const ids = await converse(db, [
      {
        date: '2023-03-01',
        turns: [
          ['question', 'Nate', 'Which position do you play on the basketball team?'],
          ['answer', 'Joanna', 'Shooting guard, since last season.'],
          ['other', 'Joanna', 'I also started a pottery class.'],
        ],
      },
    ]);
    const { hits } = await db.search('What basketball position does Joanna play?', { types: ['Message'], limit: 2, explain: true });
    expect(hits[0]?.node.id).toBe(ids.get('answer'));
    expect(hits[0]?.why?.neighbours).toEqual([ids.get('question')]);
    const without = await db.search('What basketball position does Joanna play?', { types: ['Message'], limit: 2, neighbours: 0, mode: 'keyword' });
    expect(without.hits.map((h) => h.node.id)).not.toContain(ids.get('answer'));
  });

  it('reads an entity named in the query as "mentions it", inside one search call', async () => {
    await using db = await openDb();
    const ids = await converse(db, [
      {
        date: '2023-03-01',
        turns: [
          ['paris', 'Ann', 'Alice and Bob met in Paris for the weekend.'],
          ['talk', 'Ben', 'We had long conversations about museums and food.'],
        ],
      },
    ]);
    const mentioned = await db.entitiesMentionedIn(ids.get('paris')!);
    const paris = mentioned.find((m) => m.entity.label === 'Paris');
    expect(paris).toBeDefined();
    const { hits, explain } = await db.search('Paris conversations', { types: ['Message'], explain: true });
    expect(hits[0]?.node.id).toBe(ids.get('paris'));
    expect(hits[0]?.why?.entities).toEqual([paris!.entity.id]);
    expect(hits[1]?.why?.entities).toBeUndefined();
    expect(explain?.plan[0]).toContain(`entities Paris (${paris!.entity.id})`);
  });

  it('explains each hit: terms, per-list ranks, fused score and the plan', async () => {
    await using db = await openDb();
    const ids = await converse(db, [
      {
        date: '2023-03-01',
        turns: [
          ['paris', 'Ann', 'The museum in Paris was wonderful.'],
          ['bike', 'Ben', 'My bicycle needs new tyres.'],
        ],
      },
    ]);
    const { hits, explain } = await db.search('paris museums', { types: ['Message'], explain: true });
    expect(hits[0]?.node.id).toBe(ids.get('paris'));
    expect(hits[0]?.why?.terms?.sort()).toEqual(['museum', 'pari']);
    expect(hits[0]?.why?.ranks?.keyword).toBe(1);
    expect(hits[0]?.why?.ranks?.semantic).toBe(1);
    expect(hits[0]?.scores.fused).toBeGreaterThan(0);
    expect(explain?.plan[0]).toMatch(/^understood: words "paris museums"/u);
  });
});
