import type { MlBridge } from '@tabagent/ml-bridge';

/**
 * The active ML provider's inference calls, without its lifecycle: the database opened
 * the provider and closes it, so a caller can embed or summarize but never close it.
 *
 * @example
 * const [vector] = await db.inference.embed(['the cat sat on the mat']);
 */
export type MlInference = Pick<MlBridge, 'status' | 'embed' | 'extractEntities' | 'summarize' | 'info' | 'health'>;

/** A view of `ml` that forwards the inference calls and hides `close()`. */
export function inferenceOf(ml: MlBridge): MlInference {
  return Object.freeze({
    get status() {
      return ml.status;
    },
    embed: (texts, options) => ml.embed(texts, options),
    extractEntities: (texts, options) => ml.extractEntities(texts, options),
    summarize: (texts, options) => ml.summarize(texts, options),
    info: () => ml.info(),
    health: (options) => ml.health(options),
  } satisfies MlInference);
}
