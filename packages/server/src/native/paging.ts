import { MAX_HOST_MESSAGE_BYTES } from './framing.js';

/** Room kept for the envelope around a part's data (`{"id":…,"ok":true,"part":{…},"data":""}`). */
const ENVELOPE_BYTES = 512;

/**
 * The messages that carry a successful result: one `{id, ok: true, result}` when it
 * fits in `maxBytes`, else parts `{id, ok: true, part: {index, count}, data}` whose
 * `data` strings, concatenated in order, are the JSON text of the result.
 *
 * Each part is measured as encoded (JSON escapes and UTF-8 included), so every
 * frame stays within the limit whatever the text holds.
 */
export function resultMessages(id: string | number, result: unknown, maxBytes: number = MAX_HOST_MESSAGE_BYTES): object[] {
  const whole = { id, ok: true, result: result ?? null };
  const text = JSON.stringify(whole);
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return [whole];
  const json = JSON.stringify(result ?? null);
  const budget = Math.max(64, maxBytes - ENVELOPE_BYTES - Buffer.byteLength(JSON.stringify(id), 'utf8'));
  const pieces: string[] = [];
  let start = 0;
  // Start from the average density and shrink where escapes or multi-byte text make a piece heavier.
  let guess = Math.max(16, Math.floor(budget / Math.max(1, Buffer.byteLength(json, 'utf8') / json.length)));
  while (start < json.length) {
    let end = Math.min(json.length, start + guess);
    for (;;) {
      // Never split a surrogate pair.
      if (end < json.length && isHighSurrogate(json.charCodeAt(end - 1))) end = end - 1 > start ? end - 1 : end + 1;
      const size = Buffer.byteLength(JSON.stringify(json.slice(start, end)), 'utf8');
      if (size <= budget) break;
      end = start + Math.max(1, Math.floor((end - start) * (budget / size) * 0.95));
    }
    pieces.push(json.slice(start, end));
    start = end;
  }
  return pieces.map((data, index) => ({ id, ok: true, part: { index, count: pieces.length }, data }));
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
