import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DbError } from '@tabagent/common';

/** The files of one model directory, located and parsed. */
export interface ModelFiles {
  dir: string;
  onnxPath: string;
  tokenizerPath: string;
  /** Parsed config.json. */
  config: Record<string, unknown>;
  /** Parsed tokenizer.json (read for truncation and padding settings). */
  tokenizerJson: Record<string, unknown>;
  /** `mean` or `cls` from sentence-transformers' `1_Pooling/config.json`, when present. */
  pooling: 'mean' | 'cls' | undefined;
  /** `max_seq_length` from sentence-transformers' `sentence_bert_config.json`, when present. */
  maxSeqLength: number | undefined;
  /** `_name_or_path` from config.json, else the directory name. */
  defaultId: string;
}

// Where Hugging Face exports put the graph: optimum at the root, sentence-transformers
// repos under onnx/, transformers.js repos (Xenova/*) often only a quantised copy.
const ONNX_CANDIDATES = [
  'model.onnx',
  join('onnx', 'model.onnx'),
  'model_quantized.onnx',
  join('onnx', 'model_quantized.onnx'),
];

/**
 * Locates `model.onnx` (or `onnx/model.onnx`, or a quantised copy), `tokenizer.json` and `config.json` in
 * a model directory. Missing directory or file → `NOT_FOUND`; unparsable JSON →
 * `CORRUPTED`.
 */
export async function resolveModelFiles(dir: string): Promise<ModelFiles> {
  if (!(await isDirectory(dir))) {
    throw new DbError('NOT_FOUND', `Model directory not found: ${dir}`, { details: { path: dir } });
  }
  let onnxPath: string | undefined;
  for (const candidate of ONNX_CANDIDATES) {
    if (await isFile(join(dir, candidate))) {
      onnxPath = join(dir, candidate);
      break;
    }
  }
  if (!onnxPath) {
    throw new DbError('NOT_FOUND', `No ${ONNX_CANDIDATES.join(', ')} in ${dir}`, { details: { path: dir } });
  }
  const tokenizerPath = join(dir, 'tokenizer.json');
  const tokenizerJson = await readJson(tokenizerPath);
  const config = await readJson(join(dir, 'config.json'));
  let pooling: 'mean' | 'cls' | undefined;
  const poolingPath = join(dir, '1_Pooling', 'config.json');
  if (await isFile(poolingPath)) {
    const p = await readJson(poolingPath);
    if (p.pooling_mode_cls_token === true) pooling = 'cls';
    else if (p.pooling_mode_mean_tokens === true) pooling = 'mean';
  }
  let maxSeqLength: number | undefined;
  const stConfigPath = join(dir, 'sentence_bert_config.json');
  if (await isFile(stConfigPath)) {
    const st = await readJson(stConfigPath);
    if (typeof st.max_seq_length === 'number' && st.max_seq_length > 0) maxSeqLength = st.max_seq_length;
  }
  const named = config._name_or_path;
  const defaultId = typeof named === 'string' && named !== '' && !named.startsWith('/') ? named : basename(dir);
  return { dir, onnxPath, tokenizerPath, config, tokenizerJson, pooling, maxSeqLength, defaultId };
}

async function readJson(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new DbError('NOT_FOUND', `Missing model file: ${path}`, { cause: err, details: { path } });
  }
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new DbError('CORRUPTED', 'not a JSON object');
    return value as Record<string, unknown>;
  } catch (err) {
    throw new DbError('CORRUPTED', `Invalid JSON in ${path}`, { cause: err, details: { path } });
  }
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}
