import { mergeConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.ts';

export default mergeConfig(sharedTestConfig, {
  test: {
    // The CLI tests run the built binary: build it (and what it imports) first.
    globalSetup: ['./test/global-setup.ts'],
  },
});
