/** The twelve node kinds, in a stable order. */
export const NODE_TYPES = [
  'Chat',
  'Message',
  'Summary',
  'Attachment',
  'Entity',
  'WebSearch',
  'ScrapedPage',
  'Bookmark',
  'ImageMetadata',
  'AudioTranscript',
  'ModelInfo',
  'ActionOutcome',
] as const;

export type NodeType = (typeof NODE_TYPES)[number];

export function isNodeType(value: unknown): value is NodeType {
  return typeof value === 'string' && (NODE_TYPES as readonly string[]).includes(value);
}
