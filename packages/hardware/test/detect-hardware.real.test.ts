import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { detectHardware, recommendExecutionProviders, recommendIntraOpThreads } from '../src/index.js';

/** Runs against this machine: asserts facts that hold on any host, whatever its hardware. */
describe('detectHardware on this machine', () => {
  it('reports a coherent CPU, memory and recommendation', async () => {
    const info = await detectHardware({ refresh: true });
    expect(info.platform).toBe(process.platform);
    expect(info.cpu.logicalCores).toBeGreaterThanOrEqual(1);
    expect(info.cpu.availableParallelism).toBe(os.availableParallelism());
    if (info.cpu.physicalCores !== undefined) {
      expect(info.cpu.physicalCores).toBeGreaterThanOrEqual(1);
      expect(info.cpu.physicalCores).toBeLessThanOrEqual(info.cpu.logicalCores);
    }
    expect(info.memory.totalBytes).toBeGreaterThan(0);
    if (info.memory.availableBytes !== undefined) expect(info.memory.availableBytes).toBeLessThanOrEqual(info.memory.totalBytes);

    const eps = info.recommendation.executionProviders;
    expect(eps.at(-1)).toBe('cpu');
    expect(new Set(eps).size).toBe(eps.length);
    expect(recommendExecutionProviders(info)).toEqual(eps);
    expect(info.recommendation.intraOpNumThreads).toBe(recommendIntraOpThreads(info));
    expect(info.recommendation.intraOpNumThreads).toBeGreaterThanOrEqual(1);
    expect(info.recommendation.intraOpNumThreads).toBeLessThanOrEqual(info.cpu.logicalCores);
    // A GPU provider is only recommended when a matching GPU was found.
    if (eps.includes('cuda')) expect(info.gpus.some((g) => g.vendor === 'nvidia')).toBe(true);

    for (const probe of info.probes) {
      expect(['ok', 'not-found', 'skipped', 'failed', 'timeout']).toContain(probe.status);
    }
  });

  it('reads /proc/cpuinfo and agrees with node:os on Linux (no Linux probes elsewhere)', async () => {
    const info = await detectHardware();
    if (process.platform !== 'linux') {
      expect(info.probes.some((p) => p.name === 'cpu:/proc/cpuinfo')).toBe(false);
      return;
    }
    expect(info.probes.find((p) => p.name === 'cpu:/proc/cpuinfo')?.status).toBe('ok');
    expect(info.cpu.logicalCores).toBe(os.cpus().length);
    expect(info.cpu.flags.length).toBeGreaterThan(0);
    // simd is derived from the flags, never invented.
    for (const [flag, feature] of [['avx2', 'avx2'], ['avx512f', 'avx512f'], ['asimd', 'neon']] as const) {
      if (info.cpu.flags.includes(flag)) expect(info.cpu.simd).toContain(feature);
    }
    if (process.arch === 'x64') expect(info.cpu.simd.includes('neon')).toBe(false);
    expect(info.memory.totalBytes).toBeGreaterThanOrEqual(os.totalmem() * 0.9);
  });
});
