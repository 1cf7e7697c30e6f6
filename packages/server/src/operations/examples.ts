/**
 * Ids the catalogue's examples share: `nodes.insert`'s example creates these records
 * with fixed ids, so every later example (in catalogue order) finds what it names on a
 * fresh database, and Swagger UI's default examples work when tried top to bottom.
 */
export const EXAMPLE_IDS = {
  chat: 'chat_example',
  entity: 'ent_example',
  bookmark: 'bm_example',
  edge: 'edge_example',
} as const;
