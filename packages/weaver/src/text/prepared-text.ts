import { stableDigest } from '@tabagent/common';

/** A node's text as the ML models get it. */
export interface PreparedText {
  /** The text, cut to the configured length. */
  text: string;
  /** Length of the text before the cut. */
  originalLength: number;
  /** True when the text was cut. */
  truncated: boolean;
  /** Hash of `text` (what was embedded), stored as the embedding's `contentHash`. */
  hash: string;
}

/**
 * Cuts a text to `maxLength` UTF-16 code units (never inside a surrogate pair) and
 * hashes what remains. Cutting keeps a prefix, so entity offsets found in the cut text
 * are valid offsets into the whole text.
 */
export function prepareText(text: string, maxLength: number): PreparedText {
  let cut = text;
  if (text.length > maxLength) {
    let end = maxLength;
    const last = text.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end--;
    cut = text.slice(0, end);
  }
  return { text: cut, originalLength: text.length, truncated: cut.length < text.length, hash: stableDigest('text', cut) };
}
