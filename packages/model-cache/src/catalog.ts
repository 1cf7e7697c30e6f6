import { DbError } from '@tabagent/common';

/** A model the ML layer knows how to use, with the files it needs from its repo. */
export interface CatalogModel {
  /** Short id used in configuration (`embedding.model = "all-MiniLM-L6-v2"`). */
  id: string;
  task: 'embedding' | 'ner';
  repoId: string;
  revision: string;
  /** Exact repo paths to pull; `pull` fails with NOT_FOUND if one is missing. */
  files: readonly string[];
  /** Path of the ONNX graph among `files`. */
  onnxFile: string;
  /** Embedding dimensions (embedding models). */
  dims?: number;
  description: string;
}

/**
 * Default models: a sentence-transformers embedder and a token-classification NER model,
 * both as ONNX exports with a `tokenizer.json` (HF tokenizers format).
 *
 * @example
 * const model = catalogModel('all-MiniLM-L6-v2')!;
 * await cache.pull(model.repoId, { revision: model.revision, files: [...model.files] });
 * const dir = await cache.resolve(model.repoId, { revision: model.revision, files: [...model.files] });
 */
export const MODEL_CATALOG: readonly CatalogModel[] = [
  {
    id: 'all-MiniLM-L6-v2',
    task: 'embedding',
    repoId: 'sentence-transformers/all-MiniLM-L6-v2',
    revision: 'main',
    files: ['onnx/model.onnx', 'tokenizer.json', 'config.json'],
    onnxFile: 'onnx/model.onnx',
    dims: 384,
    description: 'Sentence embeddings, 384 dimensions, mean pooling + L2 normalisation (~90 MB).',
  },
  {
    id: 'bert-base-NER',
    task: 'ner',
    repoId: 'Xenova/bert-base-NER',
    revision: 'main',
    files: ['onnx/model_quantized.onnx', 'tokenizer.json', 'config.json'],
    onnxFile: 'onnx/model_quantized.onnx',
    description: 'CoNLL-03 named entities (PER, ORG, LOC, MISC), BIO tags, int8-quantised (~110 MB).',
  },
];

/** The catalogue entry with this id, or undefined. */
export function catalogModel(id: string): CatalogModel | undefined {
  return MODEL_CATALOG.find((m) => m.id === id);
}

/** The default model of a task. */
export function defaultCatalogModel(task: CatalogModel['task']): CatalogModel {
  const model = MODEL_CATALOG.find((m) => m.task === task);
  if (!model) throw new DbError('NOT_FOUND', `no default model for ${task}`);
  return model;
}
