import type { ChangeEvent, NodeType } from '@tabagent/common';

/** The fields `nodeText` reads, per node kind: an update touching none of them leaves the text as it was. */
export const TEXT_FIELDS: Readonly<Record<NodeType, readonly string[]>> = {
  Chat: ['title', 'topic'],
  Message: ['content'],
  Summary: ['content'],
  Attachment: ['filename', 'text'],
  Entity: ['label', 'aliases', 'description'],
  WebSearch: ['query', 'results'],
  ScrapedPage: ['title', 'content'],
  Bookmark: ['title', 'notes'],
  ImageMetadata: ['caption', 'ocrText'],
  AudioTranscript: ['transcript'],
  ModelInfo: [],
  ActionOutcome: ['action', 'error'],
};

/**
 * True when a node change may have changed the node's text: an insert, or an update of
 * one of its text fields (an update without a field list counts as one).
 */
export function changesText(change: ChangeEvent): boolean {
  if (change.entity !== 'node') return false;
  if (change.op === 'insert') return true;
  if (change.op !== 'update') return false;
  const fields = TEXT_FIELDS[change.kind as NodeType];
  if (fields === undefined) return false;
  return change.fields === undefined || change.fields.some((f) => fields.includes(f));
}
