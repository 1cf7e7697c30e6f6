import { DbError } from '@tabagent/common';
import type { Tokenizer as HfNativeTokenizer } from 'tokenizers';

/** One text tokenised for a BERT-style model; offsets are UTF-16 offsets into the text. */
export interface EncodedText {
  ids: number[];
  typeIds: number[];
  /** [start, end) of each token in the text; [0, 0] for special tokens. */
  offsets: Array<[number, number]>;
  /** Index of the word each token belongs to; null for special tokens. */
  wordIds: Array<number | null>;
  /** True for [CLS]/[SEP]-like tokens added by the post-processor. */
  special: boolean[];
}

/**
 * The Hugging Face `tokenizers` library (Rust, via its Node binding) loading a
 * `tokenizer.json`, so tokenisation is exactly what the model was trained with.
 * Padding is turned off (batches are padded per length bucket instead) and
 * truncation set to the model's limit.
 */
export class HfTokenizer {
  readonly #tokenizer: HfNativeTokenizer;
  /** Id used for padding ([PAD] or <pad>), 0 when the vocabulary has neither. */
  readonly padId: number;
  readonly maxLength: number;

  private constructor(tokenizer: HfNativeTokenizer, maxLength: number) {
    this.#tokenizer = tokenizer;
    this.maxLength = maxLength;
    this.padId = tokenizer.tokenToId('[PAD]') ?? tokenizer.tokenToId('<pad>') ?? 0;
  }

  /** Loads a tokenizer.json; an unreadable file is `CORRUPTED`. */
  static async fromFile(path: string, maxLength: number): Promise<HfTokenizer> {
    const { Tokenizer } = await import('tokenizers').catch((err: unknown) => {
      throw new DbError('UNAVAILABLE', 'The tokenizers native binding could not be loaded', { cause: err });
    });
    let tokenizer: HfNativeTokenizer;
    try {
      tokenizer = Tokenizer.fromFile(path);
    } catch (err) {
      throw new DbError('CORRUPTED', `Invalid tokenizer.json: ${path}`, { cause: err, details: { path } });
    }
    tokenizer.disablePadding();
    tokenizer.setTruncation(maxLength);
    return new HfTokenizer(tokenizer, maxLength);
  }

  async encodeBatch(texts: readonly string[]): Promise<EncodedText[]> {
    const encodings = await this.#tokenizer.encodeBatch([...texts]);
    return encodings.map((enc, i) => {
      const text = texts[i] as string;
      const toUtf16 = codePointToUtf16(text);
      const specialMask = enc.getSpecialTokensMask();
      return {
        ids: enc.getIds(),
        typeIds: enc.getTypeIds(),
        // The binding reports offsets in Unicode code points; JS strings index UTF-16 units.
        offsets: enc.getOffsets().map(([s = 0, e = 0]) => [toUtf16(s), toUtf16(e)] as [number, number]),
        wordIds: enc.getWordIds().map((w) => (w === undefined ? null : w)),
        special: specialMask.map((m) => m === 1),
      };
    });
  }
}

/** Maps code-point offsets to UTF-16 offsets; the identity when the text has no astral characters. */
export function codePointToUtf16(text: string): (offset: number) => number {
  if (!/[\uD800-\uDBFF]/.test(text)) return (offset) => offset;
  const table: number[] = [];
  let unit = 0;
  for (const ch of text) {
    table.push(unit);
    unit += ch.length;
  }
  table.push(unit);
  return (offset) => table[Math.min(offset, table.length - 1)] as number;
}
