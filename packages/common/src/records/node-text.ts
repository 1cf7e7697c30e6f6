import type { Node } from '../schema/nodes.js';

/**
 * The searchable text of a node — what keyword indexes and embedders read.
 * Empty for nodes without text (a ModelInfo, an image with no caption).
 */
export function nodeText(node: Node): string {
  const parts: (string | undefined)[] = [];
  switch (node.type) {
    case 'Chat':
      parts.push(node.title, node.topic);
      break;
    case 'Message':
      parts.push(node.content);
      break;
    case 'Summary':
      parts.push(node.content);
      break;
    case 'Attachment':
      parts.push(node.filename, node.text);
      break;
    case 'Entity':
      parts.push(node.label, ...node.aliases, node.description);
      break;
    case 'WebSearch':
      parts.push(node.query, ...node.results.flatMap((r) => [r.title, r.snippet]));
      break;
    case 'ScrapedPage':
      parts.push(node.title, node.content);
      break;
    case 'Bookmark':
      parts.push(node.title, node.notes);
      break;
    case 'ImageMetadata':
      parts.push(node.caption, node.ocrText);
      break;
    case 'AudioTranscript':
      parts.push(node.transcript);
      break;
    case 'ModelInfo':
      break;
    case 'ActionOutcome':
      parts.push(node.action, node.error);
      break;
  }
  return parts.filter((p): p is string => typeof p === 'string' && p !== '').join('\n');
}

/** The chat a node belongs to, if its kind has one. */
export function chatIdOf(node: Node): string | undefined {
  return 'chatId' in node && typeof node.chatId === 'string' ? node.chatId : undefined;
}
