import { DbError, type NodeType } from '@tabagent/common';
import type { ConvergedQuery, GraphFilter, SemanticQuery } from '../converged/converged-query.js';
import { executeQuery, type QueryOptions } from '../converged/execute.js';
import type { FieldFilters } from '../converged/field-condition.js';
import type { QueryHit, QueryResult } from '../converged/query-result.js';
import type { QueryContext } from '../query-context.js';
import { findParticipants, type NamedParticipant, type ParticipantDirectory } from './participants.js';
import { findDates, type DateWindow } from './query-dates.js';
import { findEntities, mentioning, type NamedEntity } from './query-entities.js';

/** How much meaning the embedder captures, as its provider reports it (`MlBridge.info().quality`). */
export type EmbeddingQuality = 'lexical' | 'semantic';

/** Options of {@link QueryEngine.search}. */
export interface SearchOptions {
  /** Node kinds to search (default: every kind). */
  types?: readonly NodeType[];
  /** Only nodes of this chat. */
  chatId?: string;
  /** Page size (default 10). */
  limit?: number;
  offset?: number;
  /** `hybrid` (default): keyword and meaning fused; `semantic` or `keyword` alone. */
  mode?: 'hybrid' | 'semantic' | 'keyword';
  /** Minimum cosine similarity for the semantic ranking. */
  threshold?: number;
  /**
   * Relevance floor: a hit that shares no word with the query is kept only when its
   * cosine similarity reaches this. Default: {@link DEFAULT_MIN_SCORE} for the embedder's
   * quality; 0 keeps everything.
   */
  minScore?: number;
  /** Read participant names in the query as a condition on the sender (default true). */
  participants?: boolean;
  /**
   * Weight (0–1) of neighbouring turns' keyword matches in a message's score, so a reply
   * is found through the question it answers. Default {@link DEFAULT_NEIGHBOURS}; 0 is off.
   */
  neighbours?: number;
  /** Read entities named in the query (capitalised words the weaver linked) as "mentions it" (default true). */
  entities?: boolean;
  /** Read dates and periods in the query as a condition on the timestamp (default true). */
  dates?: boolean;
  /** "Now" for relative dates in the query ("last week"); default the current time. */
  asOf?: Date | number;
  /** Each hit says why it matched; the result carries the plan. */
  explain?: boolean;
}

/**
 * Default relevance floors by embedder quality, chosen on sentences written for the
 * purpose (see `search.test.ts`): unrelated sentences score below them, paraphrases with
 * no shared word above. Hashed n-grams give unrelated text more similarity than a
 * sentence encoder does.
 */
export const DEFAULT_MIN_SCORE: Readonly<Record<EmbeddingQuality, number>> = { lexical: 0.25, semantic: 0.3 };

/**
 * Fusion weights by embedder quality. A lexical embedder sees only the words BM25 sees
 * (as hashed n-grams), so it cannot know better than the keyword ranking: it gets no
 * vote, and only orders what keywords leave tied and fills in after the keyword matches
 * (hybrid is then never worse than keyword search). A sentence encoder brings what
 * keywords miss (paraphrase) and counts as much as they do.
 */
export const FUSION_WEIGHTS: Readonly<Record<EmbeddingQuality, { keyword: number; semantic: number }>> = {
  lexical: { keyword: 1, semantic: 0 },
  semantic: { keyword: 1, semantic: 1 },
};

/**
 * Neighbouring turns count half as much as a message's own words: context, not content.
 */
export const DEFAULT_NEIGHBOURS = 0.5;

/** What the query was read as, before ranking. */
export interface UnderstoodQuery {
  /** The words searched for: the query less participant names and dates. */
  text: string;
  participants: NamedParticipant[];
  dates: DateWindow[];
  entities: NamedEntity[];
}

/** A condition tried before the unconditioned search (participants, dates), and how it explains a hit. */
interface Tier {
  filters: FieldFilters;
  graph?: GraphFilter;
  entities?: string[];
  participant?: string;
  dates?: DateWindow;
}

/** Reads a query: names of participants (against the chats' senders) and dates. */
export async function understandQuery(ctx: QueryContext, directory: ParticipantDirectory, text: string, options: SearchOptions): Promise<UnderstoodQuery> {
  let rest = text;
  let participants: NamedParticipant[] = [];
  let dates: DateWindow[] = [];
  const senders = await directory.senders(ctx);
  if (options.participants !== false) ({ text: rest, participants } = findParticipants(rest, senders));
  if (options.dates !== false) {
    const asOf = options.asOf === undefined ? new Date() : new Date(options.asOf);
    ({ text: rest, windows: dates } = findDates(rest, asOf));
  }
  // Entities stay among the search words too: a message may name them without the weaver having linked it.
  // A participant's name is never read as an entity: messages that mention a person are
  // mostly the other speaker's, which is not what a question about that person is after.
  const entities = options.entities === false ? [] : await findEntities(ctx, findParticipants(rest, senders).text);
  // A query of names or dates alone still ranks by its own words.
  if (!/[\p{L}\p{N}]/u.test(rest)) rest = text;
  return { text: rest, participants, dates, entities };
}

/**
 * Conversation-aware search: query understanding (participants, dates) → ranking by
 * keyword and meaning fused by the embedder's quality → relevance floor → explanations.
 * Hits that meet the query's conditions (the named participant is the sender; the
 * timestamp is in the named period) come first; the rest of the ranking follows.
 */
export async function searchText(
  ctx: QueryContext,
  directory: ParticipantDirectory,
  quality: EmbeddingQuality,
  text: string,
  options: SearchOptions = {},
  queryOptions: QueryOptions = {},
): Promise<QueryResult> {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new DbError('INVALID_ARGUMENT', 'search text must be a non-empty string', { details: { field: 'text' } });
  }
  const { limit = 10, offset = 0, mode = 'hybrid', explain = false } = options;
  const minScore = options.minScore ?? DEFAULT_MIN_SCORE[quality];
  const understood = await understandQuery(ctx, directory, text, options);
  const base: ConvergedQuery = {};
  if (options.types !== undefined) base.types = options.types;
  if (mode !== 'semantic') {
    base.keyword = understood.text;
    base.neighbours = options.neighbours ?? DEFAULT_NEIGHBOURS;
  }
  if (mode !== 'keyword') {
    // Embedded once here, not once per condition tier.
    const embed = queryOptions.embed ?? ctx.embed;
    const semantic: SemanticQuery = { text: understood.text };
    if (embed !== undefined && ctx.defaultModel !== undefined) {
      const vector = await embed(understood.text, { model: ctx.defaultModel, signal: queryOptions.signal });
      delete semantic.text;
      semantic.vector = vector;
    }
    if (options.threshold !== undefined) semantic.threshold = options.threshold;
    base.semantic = semantic;
  }
  base.fusion = { weights: FUSION_WEIGHTS[quality] };
  if (explain) base.explain = true;
  const scope: FieldFilters = options.chatId === undefined ? {} : { chatId: { eq: options.chatId } };

  // Tiers, most specific first: sender and period, sender, period; then everything.
  const senders = understood.participants.map((p) => p.sender);
  const window = understood.dates[0];
  const tiers: Tier[] = [];
  const bySender: Tier | undefined = senders.length > 0 ? { filters: { sender: senders.length === 1 ? { eq: senders[0]! } : { in: senders } }, participant: senders.join(', ') } : undefined;
  // `day`: the days a message is about — when it was sent and the days its words name.
  const byDate: Tier | undefined = window === undefined ? undefined : { filters: { day: { gte: window.from, lt: window.to } }, dates: window };
  if (bySender !== undefined && byDate !== undefined) tiers.push({ filters: { ...bySender.filters, ...byDate.filters }, participant: bySender.participant!, dates: window });
  if (bySender !== undefined) tiers.push(bySender);
  if (byDate !== undefined) tiers.push(byDate);
  // The converged query: messages that mention an entity the query names, ranked by meaning.
  if (understood.entities.length > 0) tiers.push({ filters: {}, graph: mentioning(understood.entities), entities: understood.entities.map((e) => e.id) });
  tiers.push({ filters: {} });

  const need = offset + limit;
  const hits: QueryHit[] = [];
  const seen = new Set<string>();
  let result: QueryResult | undefined;
  let total: number | undefined;
  for (const [i, tier] of tiers.entries()) {
    const query: ConvergedQuery = { ...base, limit: Math.min(ctx.limits.maxLimit, need + seen.size), filters: { ...scope, ...tier.filters } };
    if (tier.graph !== undefined) query.graph = tier.graph;
    result = await executeQuery(ctx, query, queryOptions);
    if (i === 0 && tiers.length === 1) total = result.total;
    for (const hit of result.hits) {
      if (seen.has(hit.node.id) || !relevant(hit, minScore)) continue;
      seen.add(hit.node.id);
      if (explain) {
        hit.why ??= {};
        if (tier.participant !== undefined) hit.why.participant = tier.participant;
        if (tier.entities !== undefined) hit.why.entities = tier.entities;
        if (tier.dates !== undefined) hit.why.dates = { from: new Date(tier.dates.from).toISOString(), to: new Date(tier.dates.to).toISOString() };
      }
      hits.push(hit);
    }
    if (hits.length >= need) break;
  }
  const page: QueryResult = { hits: hits.slice(offset, offset + limit) };
  // Known when one ranking ran and the floor could drop nothing (keyword hits always pass it).
  if (total !== undefined && (minScore <= 0 || mode === 'keyword')) page.total = total;
  if (explain && result?.explain !== undefined) {
    page.explain = result.explain;
    page.explain.plan.unshift(
      `understood: words "${understood.text}"` +
        (senders.length > 0 ? `; participant ${senders.join(', ')} (from ${understood.participants.flatMap((p) => p.words).join(', ')})` : '') +
        (understood.entities.length > 0 ? `; entities ${understood.entities.map((e) => `${e.words} (${e.id})`).join(', ')}` : '') +
        understood.dates.map((d) => `; period "${d.text}" ${new Date(d.from).toISOString().slice(0, 10)}..${new Date(d.to).toISOString().slice(0, 10)}`).join('') +
        `; ${tiers.length - 1} condition tier(s) before the open search; relevance floor ${minScore}`,
    );
  }
  return page;
}

/** The relevance floor: a hit sharing a word with the query stays; others need `minScore` similarity. */
function relevant(hit: QueryHit, minScore: number): boolean {
  if (minScore <= 0 || hit.scores.keyword !== undefined) return true;
  return hit.scores.semantic !== undefined && hit.scores.semantic >= minScore;
}
