import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * Builds `@tabagent/app` and every workspace package it imports (`dist/`), so the
 * tests and the benchmark run what users run. Turbo's cache makes this a no-op when
 * nothing changed. Throws with the build output when it fails.
 */
export function buildBinary(): void {
  const result = spawnSync('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=@tabagent/app...', '--output-logs=errors-only', '--log-prefix=none'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' },
  });
  if (result.status !== 0) {
    throw new Error(`building the tabagent binary failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
}

// `node --import tsx scripts/build-binary.ts`
if (process.argv[1] === fileURLToPath(import.meta.url)) buildBinary();
