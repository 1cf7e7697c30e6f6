import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLAIM = fileURLToPath(new URL('./stdout-claim.ts', import.meta.url));

/** A process that claims stdout, then writes to it every way a component could. */
const SCRIPT = `
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
const { claimStdout } = await import(${JSON.stringify(CLAIM)});
const stdio = claimStdout();
console.log('console.log line');
console.info('console.info line');
process.stdout.write('direct write\\n');
const worker = new Worker("console.log('worker line'); process.stdout.write('worker write\\\\n')", { eval: true });
await once(worker, 'exit');
stdio.output.write('FRAME');
await new Promise((resolve) => stdio.output.end(resolve));
stdio.release();
process.stdout.write('|after release');
`;

describe('claimStdout', () => {
  it('lets only the protocol reach stdout while claimed — console, direct writes and worker threads go to stderr', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe('FRAME|after release');
    for (const line of ['console.log line', 'console.info line', 'direct write', 'worker line', 'worker write']) expect(result.stderr).toContain(line);
  });
});
