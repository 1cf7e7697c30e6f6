import { defineConfig } from 'vitest/config';

/**
 * Shared vitest settings. The `source` export condition makes workspace imports
 * resolve to each package's `src/`, so tests never need a build.
 */
export const sharedTestConfig = defineConfig({
  resolve: { conditions: ['source', 'import', 'node', 'default'] },
  ssr: { resolve: { conditions: ['source', 'import', 'node', 'default'], externalConditions: ['source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
