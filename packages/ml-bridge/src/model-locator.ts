/**
 * Finds a model repo on local disk. `@tabagent/model-cache`'s `ModelCache`
 * implements it; ml-bridge never downloads, it only asks where a model is.
 *
 * @example
 * const locator: ModelLocator = { resolve: async (repoId) => repoId === 'x/y' ? '/models/x-y' : undefined };
 */
export interface ModelLocator {
  /** The directory holding the repo's files, or undefined when it is not installed. */
  resolve(repoId: string, options?: { revision?: string }): Promise<string | undefined>;
}
