import picomatch from 'picomatch';

/** Which files of a repo to pull: glob pattern(s) (`*.json`, `onnx/**`) or a predicate. */
export type FileFilter = string | readonly string[] | ((path: string) => boolean);

/** Compiles a {@link FileFilter}; undefined selects every file. */
export function compileFileFilter(filter: FileFilter | undefined): (path: string) => boolean {
  if (filter === undefined) return () => true;
  if (typeof filter === 'function') return filter;
  const patterns = typeof filter === 'string' ? [filter] : [...filter];
  return picomatch(patterns, { dot: true });
}

/** Patterns without glob characters name exact files, which must exist in the repo. */
export function literalPatterns(filter: FileFilter | undefined): string[] {
  if (filter === undefined || typeof filter === 'function') return [];
  const patterns = typeof filter === 'string' ? [filter] : [...filter];
  return patterns.filter((p) => !picomatch.scan(p).isGlob);
}
