import { z } from 'zod';
import { DbError, edgeTypeSchema, idSchema, NODE_TYPES, validate, type NodeType } from '@tabagent/common';
import type { ResolvedLimits } from '../options.js';
import type { Scalar } from '../util/compare.js';
import type { ConvergedQuery, GraphDirection } from './converged-query.js';
import { fieldInfo, type ValueKind } from './field-catalogue.js';
import { OPERATORS, type FieldConditions } from './field-condition.js';

/** How results are ordered once parsed. */
export type ParsedOrder = { kind: 'score' } | { kind: 'id' } | { kind: 'field'; field: string; direction: 'asc' | 'desc' };

/** A validated query with every default filled in. */
export interface ParsedQuery {
  types: readonly NodeType[] | undefined;
  filters: readonly (readonly [field: string, conditions: FieldConditions])[];
  graph: { starts: readonly string[]; direction: GraphDirection; edgeTypes: readonly string[] | undefined; depth: number } | undefined;
  keyword: string | undefined;
  semantic: { vector: Float32Array | undefined; text: string | undefined; model: string | undefined; threshold: number | undefined } | undefined;
  limit: number;
  offset: number;
  order: ParsedOrder;
  fusion: { k: number; window: number; weights: { keyword: number; semantic: number } };
  neighbours: number;
  explain: boolean;
}

const FIELD_PATH = /^[A-Za-z_$][\w$]*(?:\.[\w$-]+)*$/u;
const scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string, number or boolean' });
const bound = z.union([z.number(), z.string()], { error: 'expected a number or a string' });

function conditionSchema(limits: ResolvedLimits) {
  return z.strictObject(
    {
      eq: scalar.optional(),
      ne: scalar.optional(),
      gt: bound.optional(),
      gte: bound.optional(),
      lt: bound.optional(),
      lte: bound.optional(),
      in: z.array(scalar).max(limits.maxInValues).optional(),
      prefix: z.string({ error: 'expected a string' }).optional(),
      contains: scalar.optional(),
      exists: z.boolean({ error: 'expected a boolean' }).optional(),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `unknown operator ${issue.keys.map((k) => JSON.stringify(k)).join(', ')} (expected ${OPERATORS.join(', ')})`
          : 'expected an object of operators, e.g. { eq: value }',
    },
  );
}

function kindOf(value: Scalar): ValueKind {
  return typeof value as ValueKind;
}

function describeKinds(kinds: ReadonlySet<ValueKind>): string {
  const list = [...kinds];
  return list.length === 1 ? `a ${list[0]}` : list.map((k) => `a ${k}`).join(' or ');
}

/** The zod schema of `ConvergedQuery` under the given bounds. */
export function convergedQuerySchema(limits: ResolvedLimits) {
  const condition = conditionSchema(limits);
  return z
    .strictObject({
      types: z.array(z.enum(NODE_TYPES)).min(1).max(NODE_TYPES.length).optional(),
      filters: z.record(z.string().regex(FIELD_PATH, 'not a field path'), condition).optional(),
      graph: z
        .strictObject({
          start: z.union([idSchema, z.array(idSchema).min(1).max(1_000)]),
          direction: z.enum(['out', 'in', 'both']).default('out'),
          edgeTypes: z.array(edgeTypeSchema).min(1).max(100).optional(),
          depth: z.number().int().min(1).max(limits.maxDepth, `must be at most ${limits.maxDepth}`).default(1),
        })
        .optional(),
      keyword: z.string().trim().min(1).max(10_000).optional(),
      semantic: z
        .strictObject({
          vector: z
            .union([z.instanceof(Float32Array), z.array(z.number())], { error: 'expected an array of numbers or a Float32Array' })
            .optional(),
          text: z.string().min(1).max(100_000).optional(),
          model: z.string().min(1).max(500).optional(),
          threshold: z.number().min(-1).max(1).optional(),
        })
        .optional(),
      limit: z.number().int().min(1).max(limits.maxLimit, `must be at most ${limits.maxLimit}`).default(10),
      offset: z.number().int().min(0).max(limits.maxOffset, `must be at most ${limits.maxOffset}`).default(0),
      orderBy: z
        .union([
          z.literal('score'),
          z.strictObject({ field: z.string().regex(FIELD_PATH, 'not a field path'), direction: z.enum(['asc', 'desc']).default('asc') }),
        ])
        .optional(),
      fusion: z
        .strictObject({
          k: z.number().positive().max(1e6).default(60),
          window: z.number().int().min(1).max(limits.maxCandidates).default(50),
          weights: z
            .strictObject({ keyword: z.number().min(0).max(1e3).default(1), semantic: z.number().min(0).max(1e3).default(1) })
            .default({ keyword: 1, semantic: 1 }),
        })
        .default({ k: 60, window: 50, weights: { keyword: 1, semantic: 1 } }),
      neighbours: z.number().min(0).max(1).default(0),
      explain: z.boolean().default(false),
    })
    .superRefine((q, ctx) => {
      for (const [field, c] of Object.entries(q.filters ?? {})) {
        const path = ['filters', field];
        const info = field === 'id' ? { kinds: new Set<ValueKind>(['string']) } : fieldInfo(field);
        if (info === undefined) {
          ctx.addIssue({ code: 'custom', path, message: 'unknown field (no node kind has it)' });
          continue;
        }
        const ops = Object.keys(c).filter((k) => c[k as keyof typeof c] !== undefined);
        if (ops.length === 0) ctx.addIssue({ code: 'custom', path, message: 'needs at least one operator' });
        const typed = !info.kinds.has('any');
        const check = (op: string, value: Scalar): void => {
          if (typed && !info.kinds.has(kindOf(value))) {
            ctx.addIssue({ code: 'custom', path: [...path, op], message: `expected ${describeKinds(info.kinds)} (the type of ${field}), got ${typeof value}` });
          }
        };
        for (const op of ['eq', 'ne', 'contains', 'gt', 'gte', 'lt', 'lte'] as const) if (c[op] !== undefined) check(op, c[op]);
        c.in?.forEach((value, i) => {
          if (typed && !info.kinds.has(kindOf(value))) {
            ctx.addIssue({ code: 'custom', path: [...path, 'in', i], message: `expected ${describeKinds(info.kinds)} (the type of ${field}), got ${typeof value}` });
          }
        });
        if (c.prefix !== undefined && typed && !info.kinds.has('string')) {
          ctx.addIssue({ code: 'custom', path: [...path, 'prefix'], message: `${field} holds no strings` });
        }
        const bounds = (['gt', 'gte', 'lt', 'lte'] as const).filter((op) => c[op] !== undefined);
        if (new Set(bounds.map((op) => typeof c[op])).size > 1) {
          ctx.addIssue({ code: 'custom', path: [...path, bounds[1]!], message: 'range bounds must all be numbers or all strings' });
        }
      }
      const s = q.semantic;
      if (s !== undefined) {
        if ((s.vector === undefined) === (s.text === undefined)) {
          ctx.addIssue({ code: 'custom', path: ['semantic'], message: 'give exactly one of vector or text' });
        }
        if (s.vector !== undefined) {
          if (s.vector.length === 0) ctx.addIssue({ code: 'custom', path: ['semantic', 'vector'], message: 'must not be empty' });
          let norm = 0;
          for (let i = 0; i < s.vector.length; i++) {
            const value = s.vector[i]!;
            if (!Number.isFinite(value)) {
              ctx.addIssue({ code: 'custom', path: ['semantic', 'vector', i], message: 'must be a finite number' });
              break;
            }
            norm += value * value;
          }
          if (s.vector.length > 0 && norm === 0) ctx.addIssue({ code: 'custom', path: ['semantic', 'vector'], message: 'must not be the zero vector' });
        }
      }
      if (q.orderBy === 'score' && q.keyword === undefined && s === undefined) {
        ctx.addIssue({ code: 'custom', path: ['orderBy'], message: 'ordering by score needs keyword or semantic' });
      }
      if (typeof q.orderBy === 'object') {
        const field = q.orderBy.field;
        if (field !== 'id' && fieldInfo(field) === undefined) ctx.addIssue({ code: 'custom', path: ['orderBy', 'field'], message: 'unknown field (no node kind has it)' });
        if (s !== undefined && s.threshold === undefined) {
          ctx.addIssue({ code: 'custom', path: ['semantic', 'threshold'], message: 'required when ordering a semantic query by a field' });
        }
      }
    });
}

type Schema = ReturnType<typeof convergedQuerySchema>;
const QUERY_KEYS = new Set(['types', 'filters', 'graph', 'keyword', 'neighbours', 'semantic', 'limit', 'offset', 'orderBy', 'fusion', 'explain']);
const schemas = new WeakMap<ResolvedLimits, Schema>();

/**
 * Validates a query and fills in defaults; bad input is `INVALID_ARGUMENT` whose
 * `details.field` names the offending field (`filters.timestamp.gt`, `graph.depth`).
 */
export function parseQuery(input: ConvergedQuery | unknown, limits: ResolvedLimits): ParsedQuery {
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const unknown = Object.keys(input).find((key) => !QUERY_KEYS.has(key));
    if (unknown !== undefined) {
      throw new DbError('INVALID_ARGUMENT', `${unknown}: not a query field (expected ${[...QUERY_KEYS].join(', ')})`, { details: { field: unknown } });
    }
  }
  let schema = schemas.get(limits);
  if (schema === undefined) schemas.set(limits, (schema = convergedQuerySchema(limits)));
  const q = validate(schema, input);
  const ranked = q.keyword !== undefined || q.semantic !== undefined;
  const order: ParsedOrder =
    q.orderBy === undefined
      ? ranked
        ? { kind: 'score' }
        : { kind: 'id' }
      : q.orderBy === 'score'
        ? { kind: 'score' }
        : q.orderBy.field === 'id'
          ? q.orderBy.direction === 'asc'
            ? { kind: 'id' }
            : { kind: 'field', field: 'id', direction: 'desc' }
          : { kind: 'field', field: q.orderBy.field, direction: q.orderBy.direction };
  const s = q.semantic;
  return {
    types: q.types === undefined ? undefined : [...new Set(q.types)],
    filters: Object.entries(q.filters ?? {}).map(([field, c]) => [field, Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as FieldConditions] as const),
    graph:
      q.graph === undefined
        ? undefined
        : {
            starts: [...new Set(typeof q.graph.start === 'string' ? [q.graph.start] : q.graph.start)],
            direction: q.graph.direction,
            edgeTypes: q.graph.edgeTypes,
            depth: q.graph.depth,
          },
    keyword: q.keyword,
    semantic:
      s === undefined
        ? undefined
        : {
            vector: s.vector === undefined ? undefined : s.vector instanceof Float32Array ? s.vector : Float32Array.from(s.vector),
            text: s.text,
            model: s.model,
            threshold: s.threshold,
          },
    limit: q.limit,
    offset: q.offset,
    order,
    fusion: { k: q.fusion.k, window: Math.max(q.fusion.window, q.offset + q.limit), weights: q.fusion.weights },
    neighbours: q.neighbours,
    explain: q.explain,
  };
}
