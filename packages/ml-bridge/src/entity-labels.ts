/**
 * The one entity vocabulary of TabAgent DB. Every provider maps whatever its model
 * says (`B-PER`, `GPE`, `organization`, …) onto these, so entity ids stay stable when
 * the provider changes.
 */
export const ENTITY_LABELS = [
  'PERSON',
  'ORG',
  'LOCATION',
  'DATE',
  'TIME',
  'MONEY',
  'PERCENT',
  'QUANTITY',
  'EMAIL',
  'URL',
  'PHONE',
  'PRODUCT',
  'EVENT',
  'WORK_OF_ART',
  'LANGUAGE',
  'MISC',
] as const;

export type EntityLabel = (typeof ENTITY_LABELS)[number];

const LABEL_SET: ReadonlySet<string> = new Set(ENTITY_LABELS);

// Names used by CoNLL, OntoNotes, WNUT, spaCy and common token-classification exports.
const ALIASES: Readonly<Record<string, EntityLabel>> = {
  PER: 'PERSON',
  PERS: 'PERSON',
  PEOPLE: 'PERSON',
  HUMAN: 'PERSON',
  ORGANIZATION: 'ORG',
  ORGANISATION: 'ORG',
  CORPORATION: 'ORG',
  COMPANY: 'ORG',
  GROUP: 'ORG',
  LOC: 'LOCATION',
  GPE: 'LOCATION',
  FAC: 'LOCATION',
  FACILITY: 'LOCATION',
  PLACE: 'LOCATION',
  CITY: 'LOCATION',
  COUNTRY: 'LOCATION',
  ADDRESS: 'LOCATION',
  DATETIME: 'DATE',
  CARDINAL: 'QUANTITY',
  ORDINAL: 'QUANTITY',
  NUMBER: 'QUANTITY',
  CURRENCY: 'MONEY',
  PCT: 'PERCENT',
  MAIL: 'EMAIL',
  'E-MAIL': 'EMAIL',
  LINK: 'URL',
  URI: 'URL',
  PHONE_NUMBER: 'PHONE',
  TELEPHONE: 'PHONE',
  CREATIVE_WORK: 'WORK_OF_ART',
  'CREATIVE-WORK': 'WORK_OF_ART',
  WORK: 'WORK_OF_ART',
  NORP: 'MISC',
  LAW: 'MISC',
};

/**
 * Maps a model's label to the vocabulary: strips BIO/BIOES prefixes and case, then
 * applies known aliases. Unknown labels become `MISC`, never an error.
 *
 * @example
 * normalizeEntityLabel('B-PER')        // 'PERSON'
 * normalizeEntityLabel('gpe')          // 'LOCATION'
 * normalizeEntityLabel('I-corporation') // 'ORG'
 */
export function normalizeEntityLabel(raw: string): EntityLabel {
  const upper = raw.trim().toUpperCase().replace(/^[BIESLU][-_]/, '').replace(/\s+/g, '_');
  if (LABEL_SET.has(upper)) return upper as EntityLabel;
  return ALIASES[upper] ?? 'MISC';
}

/** True when `value` is one of {@link ENTITY_LABELS}. */
export function isEntityLabel(value: unknown): value is EntityLabel {
  return typeof value === 'string' && LABEL_SET.has(value);
}
