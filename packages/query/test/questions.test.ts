import { describe, expect, it } from 'vitest';
import { EdgeTypes, entityId } from '@tabagent/common';
import { openDb, rejection } from './helpers.js';

async function conversations() {
  const db = await openDb();
  const { storage } = db;
  const [trip, work, museums, empty] = await storage.insertNodes([
    { type: 'Chat', title: 'Trip to Paris', topic: 'travel' },
    { type: 'Chat', title: 'Berlin project' },
    { type: 'Chat', title: 'Paris museums', topic: 'art' },
    { type: 'Chat', title: 'Nothing yet' },
  ]);
  const [paris, berlin, louvre, alice] = await storage.insertNodes([
    { type: 'Entity', id: entityId('LOCATION', 'Paris'), entityType: 'LOCATION', label: 'Paris' },
    { type: 'Entity', id: entityId('LOCATION', 'Berlin'), entityType: 'LOCATION', label: 'Berlin' },
    { type: 'Entity', id: entityId('ORG', 'Louvre'), entityType: 'ORG', label: 'Louvre' },
    { type: 'Entity', id: entityId('PERSON', 'Alice'), entityType: 'PERSON', label: 'Alice' },
  ]);
  // Inserted out of conversation order: timestamps decide.
  const tripMessages = await storage.insertNodes([
    { type: 'Message', chatId: trip!.id, sender: 'me', role: 'user', content: 'Trains to Paris?', timestamp: 300 },
    { type: 'Message', chatId: trip!.id, sender: 'ai', role: 'assistant', content: 'Alice suggests the Louvre', timestamp: 100 },
    { type: 'Message', chatId: trip!.id, sender: 'me', role: 'user', content: 'Hotel near Paris Nord', timestamp: 200 },
    { type: 'Message', chatId: trip!.id, sender: 'me', role: 'user', content: 'Same second', timestamp: 200 },
  ]);
  const workMessages = await storage.insertNodes([
    { type: 'Message', chatId: work!.id, sender: 'me', role: 'user', content: 'Berlin office with Alice', timestamp: 50 },
    { type: 'Message', chatId: work!.id, sender: 'me', role: 'user', content: 'Weekend in Paris after Berlin', timestamp: 60 },
  ]);
  const museumMessages = await storage.insertNodes([
    { type: 'Message', chatId: museums!.id, sender: 'me', role: 'user', content: 'Louvre opening hours in Paris', timestamp: 10 },
  ]);
  const summaries = await storage.insertNodes([
    { type: 'Summary', chatId: trip!.id, content: 'Planning a Paris trip', toTimestamp: 200 },
    { type: 'Summary', chatId: trip!.id, content: 'Booked a Paris hotel, asked about trains', toTimestamp: 300 },
  ]);
  const mention = (from: string, to: string, weight?: number) => ({ from, to, type: EdgeTypes.MENTIONS, ...(weight === undefined ? {} : { weight }) });
  await storage.insertEdges([
    mention(tripMessages[0]!.id, paris!.id, 0.9),
    mention(tripMessages[1]!.id, alice!.id, 0.7),
    mention(tripMessages[1]!.id, louvre!.id, 0.95),
    mention(tripMessages[2]!.id, paris!.id, 0.8),
    mention(tripMessages[2]!.id, paris!.id, 0.6), // a second span
    mention(workMessages[0]!.id, berlin!.id),
    mention(workMessages[0]!.id, alice!.id),
    mention(workMessages[1]!.id, paris!.id),
    mention(workMessages[1]!.id, berlin!.id),
    mention(museumMessages[0]!.id, louvre!.id),
    mention(museumMessages[0]!.id, paris!.id),
    mention(summaries[0]!.id, paris!.id),
    { from: tripMessages[1]!.id, to: museumMessages[0]!.id, type: EdgeTypes.IS_SEMANTICALLY_SIMILAR_TO, weight: 0.8 },
  ]);
  const { engine } = db;
  await engine.ready();
  return { ...db, trip: trip!, work: work!, museums: museums!, empty: empty!, paris: paris!, berlin: berlin!, louvre: louvre!, alice: alice!, tripMessages, workMessages, museumMessages, summaries };
}

describe('high-level questions', () => {
  it('messages of a chat, in conversation order, paged', async () => {
    const { engine, trip, tripMessages, empty } = await conversations();
    const [m300, m100, m200a, m200b] = tripMessages.map((m) => m.id);
    const sameSecond = [m200a!, m200b!].sort();
    const all = await engine.chatMessages(trip.id);
    expect(all.items.map((m) => m.id)).toEqual([m100, ...sameSecond, m300]);
    expect(all.total).toBe(4);
    expect(all.nextOffset).toBeUndefined();
    const first = await engine.chatMessages(trip.id, { limit: 3 });
    expect(first.items.map((m) => m.id)).toEqual([m100, ...sameSecond]);
    expect(first.nextOffset).toBe(3);
    const rest = await engine.chatMessages(trip.id, { limit: 3, offset: first.nextOffset });
    expect(rest.items.map((m) => m.id)).toEqual([m300]);
    const newest = await engine.chatMessages(trip.id, { order: 'desc', limit: 1 });
    expect(newest.items.map((m) => m.id)).toEqual([m300]);
    expect((await engine.chatMessages(empty.id)).items).toEqual([]);
    expect((await rejection(engine.chatMessages('chat_missing'))).code).toBe('NOT_FOUND');
  });

  it('entities mentioned in a node, most confident first', async () => {
    const { engine, tripMessages, paris, louvre, alice } = await conversations();
    const mentions = await engine.entitiesMentionedBy(tripMessages[1]!.id);
    expect(mentions.map((m) => [m.entity.id, m.weight])).toEqual([[louvre.id, 0.95], [alice.id, 0.7]]);
    const twice = await engine.entitiesMentionedBy(tripMessages[2]!.id);
    expect(twice).toHaveLength(1);
    expect(twice[0]).toMatchObject({ entity: { id: paris.id }, mentions: 2, weight: 0.8 });
    expect(await engine.entitiesMentionedBy('msg_nothing')).toEqual([]);
  });

  it('nodes mentioning an entity, by id or by type and label, newest first', async () => {
    const { engine, paris, tripMessages, workMessages, museumMessages, summaries } = await conversations();
    const expected = [tripMessages[0]!, tripMessages[2]!, workMessages[1]!, museumMessages[0]!, summaries[0]!].map((n) => n.id).sort().reverse();
    const byLabel = await engine.nodesMentioning({ entityType: 'location', label: ' PARIS ' });
    expect(byLabel.items.map((n) => n.id)).toEqual(expected);
    expect(byLabel.total).toBe(5);
    const messages = await engine.nodesMentioning(paris.id, { types: ['Message'], limit: 2 });
    expect(messages.items.map((n) => n.id)).toEqual(expected.filter((id) => id.startsWith('msg_')).slice(0, 2));
    expect(messages.total).toBe(4);
    expect(messages.nextOffset).toBe(2);
  });

  it('chats related to a chat through shared entities and similarity edges, ranked', async () => {
    const { engine, trip, work, museums, paris, louvre, alice } = await conversations();
    const related = await engine.relatedChats(trip.id);
    // Museums shares Paris and Louvre and a similarity edge; Work shares Paris and Alice.
    expect(related.map((r) => r.chat.id)).toEqual([museums.id, work.id]);
    const [first, second] = related;
    expect(first!.sharedEntities.sort()).toEqual([louvre.id, paris.id].sort());
    expect(first!.similarityLinks).toBe(1);
    expect(second!.sharedEntities.sort()).toEqual([alice.id, paris.id].sort());
    expect(second!.similarityLinks).toBe(0);
    // Paris is in 3 chats, Louvre in 2, Alice in 2: 1/log2(4) + 1/log2(3) + 0.8.
    expect(first!.score).toBeCloseTo(1 / 2 + 1 / Math.log2(3) + 0.8, 9);
    expect(second!.score).toBeCloseTo(1 / 2 + 1 / Math.log2(3), 9);
    // Skipping entities mentioned too often leaves only the rarer evidence.
    const rare = await engine.relatedChats(trip.id, { maxEntityMentions: 3 });
    expect(rare.find((r) => r.chat.id === museums.id)!.sharedEntities).toEqual([louvre.id]);
    expect((await rejection(engine.relatedChats('chat_missing'))).code).toBe('NOT_FOUND');
  });

  it('latest summary and topic of a chat', async () => {
    const { engine, trip, work, summaries } = await conversations();
    const digest = await engine.chatDigest(trip.id);
    expect(digest.topic).toBe('travel');
    expect(digest.summary?.id).toBe(summaries[1]!.id);
    const bare = await engine.chatDigest(work.id);
    expect(bare).toMatchObject({ topic: undefined, summary: undefined, chat: { id: work.id } });
  });
});
