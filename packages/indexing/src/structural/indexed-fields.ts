import { normaliseLabel, type Node } from '@tabagent/common';
import type { KeyValue } from '../keys/tuple-key.js';
import { messageDays } from './message-days.js';

/** A node field the structural index covers, and how to read its value(s) from a node. */
export interface IndexedField {
  name: string;
  /** The values to index for a node (none when the node has no such field). */
  values(node: Node): readonly KeyValue[];
  description: string;
}

/** Shared by every field a node lacks (most fields of most nodes): no array per miss. */
const NONE: readonly KeyValue[] = Object.freeze([]);

function isKeyValue(value: unknown): value is KeyValue {
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean';
}

function field<K extends string>(name: K, description: string): IndexedField {
  return {
    name,
    description,
    values(node) {
      const value = (node as unknown as Record<string, unknown>)[name];
      if (value === undefined || value === null) return NONE;
      if (Array.isArray(value)) return value.filter(isKeyValue);
      return isKeyValue(value) ? [value] : NONE;
    },
  };
}

/** The fields the structural index maintains. Queries on others filter after the index stage. */
export const INDEXED_FIELDS: readonly IndexedField[] = [
  field('type', 'node kind, every node'),
  field('createdAt', 'creation time (ms), every node'),
  field('updatedAt', 'last update time (ms), every node'),
  field('chatId', 'chat of a message, summary, attachment, …'),
  field('messageId', 'message an attachment/image/transcript/outcome belongs to'),
  field('timestamp', 'time a message was sent / a search was made'),
  field('sender', 'message sender'),
  field('role', 'message role'),
  field('entityType', 'entity type (PERSON, LOCATION, …)'),
  {
    name: 'label',
    description: 'normalised entity label and aliases',
    values: (node) => (node.type === 'Entity' ? [...new Set([node.label, ...node.aliases].map(normaliseLabel))] : NONE),
  },
  {
    name: 'entity',
    description: 'entity type + normalised label, as "TYPE:label"',
    values: (node) => (node.type === 'Entity' ? [`${node.entityType}:${normaliseLabel(node.label)}`] : NONE),
  },
  {
    name: 'day',
    description: 'UTC days (ms) a message is about: the day it was sent and the days its words name ("yesterday", "last week")',
    values: (node) => (node.type === 'Message' ? messageDays(node.content, node.timestamp) : NONE),
  },
  field('url', 'page and bookmark url'),
  field('uri', 'image / attachment / audio uri'),
  field('domain', 'scraped page domain'),
  field('tags', 'tags (multi-valued)'),
  field('modelId', 'model id of a ModelInfo'),
  field('action', 'action of an ActionOutcome'),
  field('success', 'success flag of an ActionOutcome'),
];

export const INDEXED_FIELD_NAMES: ReadonlySet<string> = new Set(INDEXED_FIELDS.map((f) => f.name));
