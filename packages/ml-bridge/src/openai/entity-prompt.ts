import { DbError } from '@tabagent/common';
import { ENTITY_LABELS, normalizeEntityLabel } from '../entity-labels.js';
import type { MlEntity } from '../ml-bridge.js';

/** The JSON schema the model must answer with (OpenAI structured outputs, strict mode). */
export const ENTITY_RESPONSE_SCHEMA = {
  type: 'object',
  properties: {
    entities: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          text: { type: 'string', description: 'The entity exactly as written in the input, character for character.' },
          label: { type: 'string', enum: [...ENTITY_LABELS] },
          confidence: { type: 'number', description: 'Probability in [0, 1] that this is a correct entity.' },
        },
        required: ['text', 'label', 'confidence'],
        additionalProperties: false,
      },
    },
  },
  required: ['entities'],
  additionalProperties: false,
} as const;

export const ENTITY_SYSTEM_PROMPT = [
  'You extract named entities from the user message.',
  `Labels: ${ENTITY_LABELS.join(', ')}. Use MISC for named things that fit no other label.`,
  'Copy each entity exactly as it appears in the text (same case, spelling and punctuation); never paraphrase or normalise.',
  'List an entity once per distinct surface form. Do not return pronouns or generic nouns.',
  'Answer only with JSON: {"entities": [{"text": string, "label": string, "confidence": number}]}.',
].join('\n');

/**
 * Turns the model's JSON answer into entities with offsets. Language models cannot
 * count characters reliably, so the model returns surface forms and the offsets come
 * from finding those forms in the input: every occurrence, on word boundaries, the
 * longest form winning overlaps. Forms not in the input (hallucinations) are dropped.
 * Content that is not the promised JSON shape is `CORRUPTED`.
 */
export function parseEntityAnswer(content: string, input: string): MlEntity[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stripCodeFence(content));
  } catch (err) {
    throw new DbError('CORRUPTED', `The model's entity answer is not valid JSON: ${content.slice(0, 200)}`, { cause: err });
  }
  const list = (parsed as { entities?: unknown } | null)?.entities;
  if (!Array.isArray(list)) {
    throw new DbError('CORRUPTED', 'The model\'s entity answer has no "entities" array');
  }
  const found: MlEntity[] = [];
  for (const item of list) {
    if (!item || typeof item !== 'object') continue;
    const { text, label, confidence } = item as { text?: unknown; label?: unknown; confidence?: unknown };
    if (typeof text !== 'string' || typeof label !== 'string') continue;
    const form = text.trim();
    if (form === '') continue;
    const score = typeof confidence === 'number' && confidence >= 0 && confidence <= 1 ? confidence : 0.5;
    for (const start of occurrences(input, form)) {
      found.push({ text: form, label: normalizeEntityLabel(label), start, end: start + form.length, score });
    }
  }
  const kept: MlEntity[] = [];
  for (const e of found.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start)) {
    if (kept.every((k) => e.end <= k.start || e.start >= k.end)) kept.push(e);
  }
  return kept.sort((a, b) => a.start - b.start);
}

function occurrences(haystack: string, needle: string): number[] {
  const out: number[] = [];
  const isWord = (ch: string | undefined): boolean => ch !== undefined && /[\p{L}\p{N}_]/u.test(ch);
  for (let i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
    // "Ann" must not match inside "Annual".
    const before = haystack[i - 1];
    const after = haystack[i + needle.length];
    if ((isWord(needle[0]) && isWord(before)) || (isWord(needle[needle.length - 1]) && isWord(after))) continue;
    out.push(i);
  }
  return out;
}

/** Some servers wrap JSON in a ```json fence even when asked not to. */
function stripCodeFence(content: string): string {
  const m = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/i.exec(content);
  return m ? (m[1] as string) : content;
}
