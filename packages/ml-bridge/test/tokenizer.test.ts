import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codePointToUtf16, HfTokenizer } from '../src/onnx/hf-tokenizer.js';
import { SHARED_DATA } from './quality/datasets.js';

const REAL = join(SHARED_DATA, 'tokenizer-minilm-l6-v2', 'tokenizer.json');

describe('HF tokenizer (tokenizers native binding) on the real all-MiniLM-L6-v2 tokenizer.json', () => {
  it('"hello world" → 101, 7592, 2088, 102 with no padding', async () => {
    const tok = await HfTokenizer.fromFile(REAL, 128);
    const [enc] = await tok.encodeBatch(['hello world']);
    expect(enc?.ids).toEqual([101, 7592, 2088, 102]);
    expect(enc?.special).toEqual([true, false, false, true]);
    expect(enc?.offsets).toEqual([
      [0, 0],
      [0, 5],
      [6, 11],
      [0, 0],
    ]);
    expect(tok.padId).toBe(0);
  });

  it('splits words into WordPiece pieces that share a word id', async () => {
    const tok = await HfTokenizer.fromFile(REAL, 128);
    const [enc] = await tok.encodeBatch(['tokenization']);
    expect(enc?.ids.length).toBeGreaterThan(3);
    const words = enc?.wordIds.filter((w) => w !== null);
    expect(new Set(words).size).toBe(1);
  });

  it('reports UTF-16 offsets after astral characters and accents', async () => {
    const tok = await HfTokenizer.fromFile(REAL, 128);
    const text = '😀 héllo Paris';
    const [enc] = await tok.encodeBatch([text]);
    const pieces = (enc?.offsets ?? []).filter(([s, e]) => e > s).map(([s, e]) => text.slice(s, e));
    expect(pieces).toEqual(['😀', 'héllo', 'Paris']);
  });

  it('truncates to maxLength including special tokens', async () => {
    const tok = await HfTokenizer.fromFile(REAL, 16);
    const [enc] = await tok.encodeBatch([Array.from({ length: 100 }, () => 'word').join(' ')]);
    expect(enc?.ids.length).toBe(16);
    expect(enc?.ids[0]).toBe(101);
    expect(enc?.ids[15]).toBe(102);
  });

  it('maps code points to UTF-16 units', () => {
    const map = codePointToUtf16('a😀b');
    expect([0, 1, 2, 3].map(map)).toEqual([0, 1, 3, 4]);
    expect(codePointToUtf16('plain')(3)).toBe(3);
  });
});
