import { describe, expect, it } from 'vitest';
import { Storage, type Extension } from '@tabagent/storage';
import { ClassicLevel } from 'classic-level';
import { encodeRecord } from '@tabagent/storage';
import { Indexing, KeywordIndex, tokenize, TOKENIZER_VERSION } from '../src/index.js';
import { openIndexed, tempDir } from './helpers.js';

describe('keyword index (BM25)', () => {
  it('tokenises with stop words removed and stemming', () => {
    expect(tokenize('The museums of Paris were AMAZING!')).toEqual(['museum', 'pari', 'amaz']);
    expect(tokenize('')).toEqual([]);
  });

  it('reduces possessives and contractions, drops question and auxiliary words, lemmatises irregular forms', () => {
    expect(tokenize("Joanna's")).toEqual(tokenize('Joanna'));
    expect(tokenize("I'm sure we'll go, don't you think?")).toEqual(tokenize('sure go think'));
    expect(tokenize('When does Nate play?')).toEqual(tokenize('Nate play'));
    // Irregular forms meet their dictionary form (Porter alone leaves "lost" and "lose" apart).
    expect(tokenize('lost')).toEqual(tokenize('lose'));
    expect(tokenize('went')).toEqual(tokenize('go'));
    expect(tokenize('feet children')).toEqual(tokenize('foot child'));
    expect(tokenize('painting paints painted')).toEqual(tokenize('paint paint paint'));
  });

  it('keeps the month May apart from the modal verb may', () => {
    expect(tokenize('We may come')).toEqual(tokenize('We come'));
    expect(tokenize('May I come?')).toEqual(tokenize('I come?'));
    expect(tokenize('We met in May 2023')).toContain('month:may');
    expect(tokenize('What happened in May?')).toEqual(tokenize('happened in May'));
  });

  it('tokenises non-ASCII text: NFKC, typographic apostrophes, Unicode letters', () => {
    // ﬁ (U+FB01) and full-width letters fold under NFKC; ’ reads as '; no stemming off ASCII.
    expect(tokenize('ﬁnd Ｐａｒｉｓ')).toEqual(['find', 'pari']);
    expect(tokenize('Don’t stop: café München')).toEqual(tokenize("Don't stop: café München"));
    expect(tokenize('café München 東京')).toEqual(['café', 'münchen', '東京']);
  });

  it('ranks a small corpus exactly as hand-computed BM25', async () => {
    const { storage, indexing } = await openIndexed();
    const chat = await storage.insertNode({ type: 'Chat', title: 'zzz' });
    const texts = [
      'paris museum louvre',          // d1: 3 terms
      'paris paris cafe',             // d2: 3 terms (paris twice)
      'lyon museum',                  // d3: 2 terms
      'train ticket booking lyon lyon', // d4: 5 terms
    ];
    const docs = await storage.insertNodes(texts.map((content) => ({ type: 'Message' as const, chatId: chat.id, sender: 's', role: 'user' as const, content })));
    // Corpus: the chat title "zzz" (1 term) + 4 messages → N = 5, total length 1+3+3+2+5 = 14.
    const N = 5;
    const avg = 14 / 5;
    const k1 = 1.2;
    const b = 0.75;
    const idf = (df: number) => Math.log(1 + (N - df + 0.5) / (df + 0.5));
    const term = (tf: number, len: number, df: number) => (idf(df) * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * len) / avg));
    // Query "paris museum": paris df=2 (d1,d2), museum df=2 (d1,d3)
    const expected = [
      { id: docs[0]!.id, score: term(1, 3, 2) + term(1, 3, 2) },
      { id: docs[1]!.id, score: term(2, 3, 2) },
      { id: docs[2]!.id, score: term(1, 2, 2) },
    ].sort((x, y) => y.score - x.score);
    const hits = await indexing.keyword.search('Paris museums', { limit: 10 });
    expect(hits.map((h) => h.nodeId)).toEqual(expected.map((e) => e.id));
    for (let i = 0; i < hits.length; i++) expect(hits[i]!.score).toBeCloseTo(expected[i]!.score, 10);
    expect(indexing.keyword.stats()).toEqual({ docs: 5, averageLength: avg });
    expect(KeywordIndex.idf(N, 2)).toBeCloseTo(idf(2), 12);

    // Candidates restrict scoring; updates and deletes are reflected.
    const restricted = await indexing.keyword.search('paris museum', { candidates: new Set([docs[2]!.id]) });
    expect(restricted.map((h) => h.nodeId)).toEqual([docs[2]!.id]);
    await storage.updateNode(docs[1]!.id, { content: 'nothing relevant' });
    await storage.deleteNode(docs[0]!.id);
    const after = await indexing.keyword.search('paris museum');
    expect(after.map((h) => h.nodeId)).toEqual([docs[2]!.id]);
    for (const report of await indexing.verify()) expect(report.ok, report.index).toBe(true);
  });
});

describe('keyword index on randomized mixes', () => {
  it('equals brute-force BM25 over the live data after inserts, updates and deletes', async () => {
    const { seededRandom } = await import('@tabagent/common/testing');
    const { nodeText } = await import('@tabagent/common');
    const { termFrequencies } = await import('../src/index.js');
    const { storage, indexing } = await openIndexed();
    const random = seededRandom(5);
    const vocabulary = ['paris', 'lyon', 'museum', 'train', 'ticket', 'dinner', 'budget', 'alice', 'bob', 'flight', 'hotel', 'rain'];
    const text = () => Array.from({ length: 1 + Math.floor(random() * 8) }, () => vocabulary[Math.floor(random() * vocabulary.length)]).join(' ');
    const chat = await storage.insertNode({ type: 'Chat', title: 'random' });
    const live = new Set<string>();
    for (let round = 0; round < 10; round++) {
      const batch = storage.batch();
      for (let i = 0; i < 15; i++) live.add(batch.insertNode({ type: 'Message', chatId: chat.id, sender: 's', role: 'user', content: text() }));
      const ids = [...live];
      // Same-commit updates and deletes of documents from earlier commits and this one.
      for (let i = 0; i < 4; i++) {
        const id = ids[Math.floor(random() * ids.length)]!;
        if (!live.has(id)) continue;
        if (random() < 0.5) batch.updateNode(id, { content: random() < 0.2 ? '' : text() });
        else {
          batch.deleteNode(id);
          live.delete(id);
        }
      }
      await batch.commit();
    }
    const nodes = (await storage.getNodes([chat.id, ...live])).filter((n) => n !== undefined);
    const docs = nodes.map((n) => ({ id: n.id, tf: termFrequencies(nodeText(n)) })).filter((d) => d.tf.size > 0);
    const lengths = new Map(docs.map((d) => [d.id, [...d.tf.values()].reduce((a, b) => a + b, 0)]));
    const N = docs.length;
    const avg = [...lengths.values()].reduce((a, b) => a + b, 0) / N;
    expect(indexing.keyword.stats()).toEqual({ docs: N, averageLength: avg });
    for (const query of ['paris museum', 'budget', 'alice bob rain', 'hotel ticket train']) {
      const scores = new Map<string, number>();
      for (const term of termFrequencies(query).keys()) {
        const df = docs.filter((d) => d.tf.has(term)).length;
        for (const d of docs) {
          const tf = d.tf.get(term);
          if (!tf) continue;
          const len = lengths.get(d.id)!;
          const s = (KeywordIndex.idf(N, df) * tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * len) / avg));
          scores.set(d.id, (scores.get(d.id) ?? 0) + s);
        }
      }
      const want = [...scores].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 20);
      const got = await indexing.keyword.search(query, { limit: 20 });
      expect(got.map((h) => h.nodeId), query).toEqual(want.map(([id]) => id));
      for (let i = 0; i < got.length; i++) expect(got[i]!.score).toBeCloseTo(want[i]![1], 9);
    }
    for (const report of await indexing.verify()) expect(report, report.index).toMatchObject({ ok: true });
  });

  it('keeps corpus statistics right across single commits, a commit that fails after indexing, and a reopen', async () => {
    const dir = await tempDir();
    const indexing = new Indexing();
    // A hook after the keyword index that fails one commit: the keyword index has
    // already computed that commit's statistics, which must not be kept.
    const failOn: Extension = {
      name: 'fail-on-marker',
      kind: 'derived',
      apply(changes) {
        if (changes.some((c) => c.entity === 'node' && c.after?.type === 'Message' && c.after.content.includes('FAIL'))) throw new Error('refused');
      },
    };
    const storage = await Storage.open(dir, { extensions: [...indexing.extensions, failOn] });
    const chat = await storage.insertNode({ type: 'Chat', title: 'stats' }); // 1 term
    await storage.insertNode({ type: 'Message', chatId: chat.id, sender: 's', role: 'user', content: 'paris museum louvre' }); // 3
    await expect(storage.insertNode({ type: 'Message', chatId: chat.id, sender: 's', role: 'user', content: 'FAIL one two three four' })).rejects.toThrow();
    await storage.insertNode({ type: 'Message', chatId: chat.id, sender: 's', role: 'user', content: 'lyon museum' }); // 2
    await Promise.all([
      storage.insertNode({ type: 'Message', chatId: chat.id, sender: 's', role: 'user', content: 'train ticket' }), // 2
      storage.insertNode({ type: 'Message', chatId: chat.id, sender: 's', role: 'user', content: 'cafe' }), // 1
    ]);
    expect(indexing.keyword.stats()).toEqual({ docs: 5, averageLength: 9 / 5 });
    expect((await indexing.verify({ only: ['keyword'] }))[0]!.ok).toBe(true);
    await storage.close();

    const again = new Indexing();
    const reopened = await Storage.open(dir, { extensions: [...again.extensions, failOn] });
    await reopened.insertNode({ type: 'Message', chatId: chat.id, sender: 's', role: 'user', content: 'porto' }); // 1
    expect(again.keyword.stats()).toEqual({ docs: 6, averageLength: 10 / 6 });
    await reopened.close();
  });
});

describe('keyword index migration', () => {
  it('rebuilds itself when its postings were written under an older tokenizer', async () => {
    const first = await openIndexed();
    const chat = await first.storage.insertNode({ type: 'Chat', title: 'notes' });
    await first.storage.insertNode({ type: 'Message', chatId: chat.id, sender: 's', role: 'user', content: "Joanna's screenplay was lost" });
    await first.storage.close();
    // Stand in for a database indexed by an older release: other version, stale postings.
    const db = new ClassicLevel<string, Uint8Array>(first.dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
    const store = db.sublevel('idx', { valueEncoding: 'view' }).sublevel<string, Uint8Array>('keyword', { keyEncoding: 'utf8', valueEncoding: 'view' });
    await store.put('~tokenizer', encodeRecord(TOKENIZER_VERSION - 1));
    await store.put('p\u0000joanna\'\u0000old', encodeRecord(['msg_stale', 1, 1]));
    await db.close();
    const { indexing } = await openIndexed(first.dir);
    expect((await indexing.verify()).every((r) => r.ok)).toBe(true);
    expect(await indexing.keyword.search('Joanna lose')).toHaveLength(1);
  });
});
