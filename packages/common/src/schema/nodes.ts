import { z } from 'zod';
import {
  idSchema,
  labelSchema,
  messageRoleSchema,
  nodeBaseShape,
  timestampSchema,
} from './fields.js';
import type { NodeType } from './node-type.js';

const tagsSchema = z.array(labelSchema).max(1_000).default([]);

export const ChatSchema = z.strictObject({
  type: z.literal('Chat'),
  ...nodeBaseShape,
  title: z.string().max(2_000),
  topic: z.string().max(2_000).optional(),
  tags: tagsSchema,
  archived: z.boolean().optional(),
});

export const MessageSchema = z.strictObject({
  type: z.literal('Message'),
  ...nodeBaseShape,
  chatId: idSchema,
  sender: labelSchema,
  role: messageRoleSchema,
  content: z.string(),
  /** When the message was sent; defaults to `createdAt`. */
  timestamp: timestampSchema,
  replyToId: idSchema.optional(),
  attachmentIds: z.array(idSchema).optional(),
  tags: tagsSchema,
});

export const SummarySchema = z.strictObject({
  type: z.literal('Summary'),
  ...nodeBaseShape,
  chatId: idSchema,
  content: z.string(),
  /** The messages this summary covers. */
  messageIds: z.array(idSchema).default([]),
  fromTimestamp: timestampSchema.optional(),
  toTimestamp: timestampSchema.optional(),
  model: z.string().max(500).optional(),
});

export const AttachmentSchema = z.strictObject({
  type: z.literal('Attachment'),
  ...nodeBaseShape,
  chatId: idSchema.optional(),
  messageId: idSchema.optional(),
  filename: labelSchema,
  mimeType: z.string().min(1).max(255),
  sizeBytes: z.number().int().nonnegative().optional(),
  uri: z.string().max(8_192).optional(),
  /** Text extracted from the attachment, when there is any. */
  text: z.string().optional(),
});

export const EntitySchema = z.strictObject({
  type: z.literal('Entity'),
  ...nodeBaseShape,
  label: labelSchema,
  /** PERSON, ORG, LOCATION, DATE, … (upper case). */
  entityType: z.string().min(1).max(64).regex(/^[A-Z][A-Z0-9_]*$/u, 'must be UPPER_SNAKE_CASE'),
  aliases: z.array(labelSchema).default([]),
  description: z.string().max(10_000).optional(),
  /** Pinned entities are kept even when nothing mentions them any more. */
  pinned: z.boolean().optional(),
});

export const WebSearchSchema = z.strictObject({
  type: z.literal('WebSearch'),
  ...nodeBaseShape,
  query: z.string().min(1).max(10_000),
  engine: z.string().max(200).optional(),
  chatId: idSchema.optional(),
  timestamp: timestampSchema,
  results: z
    .array(
      z.strictObject({
        title: z.string().max(2_000),
        url: z.string().min(1).max(8_192),
        snippet: z.string().max(20_000).optional(),
      }),
    )
    .default([]),
});

export const ScrapedPageSchema = z.strictObject({
  type: z.literal('ScrapedPage'),
  ...nodeBaseShape,
  url: z.string().min(1).max(8_192),
  title: z.string().max(2_000).optional(),
  content: z.string(),
  domain: z.string().max(255).optional(),
  scrapedAt: timestampSchema,
  tags: tagsSchema,
});

export const BookmarkSchema = z.strictObject({
  type: z.literal('Bookmark'),
  ...nodeBaseShape,
  url: z.string().min(1).max(8_192),
  title: z.string().max(2_000),
  folder: z.string().max(2_000).optional(),
  notes: z.string().max(100_000).optional(),
  tags: tagsSchema,
});

export const ImageMetadataSchema = z.strictObject({
  type: z.literal('ImageMetadata'),
  ...nodeBaseShape,
  uri: z.string().min(1).max(8_192),
  mimeType: z.string().max(255).optional(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  caption: z.string().max(20_000).optional(),
  ocrText: z.string().optional(),
  chatId: idSchema.optional(),
  messageId: idSchema.optional(),
});

export const AudioTranscriptSchema = z.strictObject({
  type: z.literal('AudioTranscript'),
  ...nodeBaseShape,
  uri: z.string().max(8_192).optional(),
  transcript: z.string(),
  language: z.string().max(35).optional(),
  durationMs: z.number().nonnegative().optional(),
  segments: z
    .array(
      z.strictObject({
        startMs: z.number().nonnegative(),
        endMs: z.number().nonnegative(),
        text: z.string(),
      }),
    )
    .optional(),
  chatId: idSchema.optional(),
  messageId: idSchema.optional(),
});

export const ModelInfoSchema = z.strictObject({
  type: z.literal('ModelInfo'),
  ...nodeBaseShape,
  modelId: z.string().min(1).max(500),
  provider: z.string().min(1).max(100),
  /** embedding, ner, summarization, … */
  task: z.string().min(1).max(100),
  dims: z.number().int().positive().optional(),
  revision: z.string().max(200).optional(),
  sizeBytes: z.number().int().nonnegative().optional(),
  path: z.string().max(8_192).optional(),
  quantization: z.string().max(100).optional(),
});

export const ActionOutcomeSchema = z.strictObject({
  type: z.literal('ActionOutcome'),
  ...nodeBaseShape,
  action: z.string().min(1).max(1_000),
  success: z.boolean(),
  input: z.unknown().optional(),
  output: z.unknown().optional(),
  error: z.string().max(100_000).optional(),
  durationMs: z.number().nonnegative().optional(),
  chatId: idSchema.optional(),
  messageId: idSchema.optional(),
});

/** Runtime schema of each node kind. */
export const NODE_SCHEMAS = {
  Chat: ChatSchema,
  Message: MessageSchema,
  Summary: SummarySchema,
  Attachment: AttachmentSchema,
  Entity: EntitySchema,
  WebSearch: WebSearchSchema,
  ScrapedPage: ScrapedPageSchema,
  Bookmark: BookmarkSchema,
  ImageMetadata: ImageMetadataSchema,
  AudioTranscript: AudioTranscriptSchema,
  ModelInfo: ModelInfoSchema,
  ActionOutcome: ActionOutcomeSchema,
} as const satisfies Record<NodeType, z.ZodType>;

/** Any node: a discriminated union on `type`. */
export const NodeSchema = z.discriminatedUnion('type', [
  ChatSchema,
  MessageSchema,
  SummarySchema,
  AttachmentSchema,
  EntitySchema,
  WebSearchSchema,
  ScrapedPageSchema,
  BookmarkSchema,
  ImageMetadataSchema,
  AudioTranscriptSchema,
  ModelInfoSchema,
  ActionOutcomeSchema,
]);

export type Chat = z.infer<typeof ChatSchema>;
export type Message = z.infer<typeof MessageSchema>;
export type Summary = z.infer<typeof SummarySchema>;
export type Attachment = z.infer<typeof AttachmentSchema>;
export type Entity = z.infer<typeof EntitySchema>;
export type WebSearch = z.infer<typeof WebSearchSchema>;
export type ScrapedPage = z.infer<typeof ScrapedPageSchema>;
export type Bookmark = z.infer<typeof BookmarkSchema>;
export type ImageMetadata = z.infer<typeof ImageMetadataSchema>;
export type AudioTranscript = z.infer<typeof AudioTranscriptSchema>;
export type ModelInfo = z.infer<typeof ModelInfoSchema>;
export type ActionOutcome = z.infer<typeof ActionOutcomeSchema>;

/** Any stored node. */
export type Node = z.infer<typeof NodeSchema>;
/** The node of one kind. */
export type NodeOf<T extends NodeType> = Extract<Node, { type: T }>;

/** Fields the database fills in when a node is created without them. */
type Generated = 'id' | 'createdAt' | 'updatedAt' | 'metadata' | 'timestamp' | 'scrapedAt' | 'tags' | 'aliases' | 'messageIds' | 'results';
type Optionalise<N> = N extends unknown ? Omit<N, Generated & keyof N> & Partial<Pick<N, Generated & keyof N>> : never;

/** Input for creating a node: like `Node`, but generated fields may be left out. */
export type NewNode = Optionalise<Node>;
/** Input for creating a node of one kind. */
export type NewNodeOf<T extends NodeType> = Extract<NewNode, { type: T }>;

/** A partial update of a node: any of its own fields, `null` removes an optional field. */
export type NodePatch<T extends NodeType = NodeType> = {
  [K in Exclude<keyof NodeOf<T>, 'id' | 'type' | 'createdAt' | 'updatedAt'>]?: NodeOf<T>[K] | null;
};
