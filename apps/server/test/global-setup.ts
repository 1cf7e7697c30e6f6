import { buildBinary } from '../scripts/build-binary.js';

/**
 * The CLI tests run the built binary (`node dist/main.js`): build it and the packages it
 * imports first. CI starts without any dist, so this is where it gets built.
 * `TABAGENT_TEST_SKIP_BUILD=1` skips it when iterating against a binary just built.
 */
export default function setup(): void {
  if (process.env['TABAGENT_TEST_SKIP_BUILD'] === '1') return;
  const started = Date.now();
  buildBinary();
  process.stderr.write(`[global-setup] built the tabagent binary and its packages in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
