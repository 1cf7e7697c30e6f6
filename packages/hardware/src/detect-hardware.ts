import { throwIfAborted } from '@tabagent/common';
import { detectAcceleration } from './accel/detect-libraries.js';
import { detectCpu } from './cpu/detect-cpu.js';
import type { DetectHardwareOptions } from './detect-options.js';
import { detectOptionsKey, resolveDetectOptions } from './detect-options.js';
import { detectGpus } from './gpu/detect-gpus.js';
import type { HardwareInfo } from './hardware-info.js';
import { detectMemory } from './memory/detect-memory.js';
import { detectNpus } from './npu/detect-npus.js';
import { ProbeContext } from './probe/probe-context.js';
import { recommendRuntime } from './recommend/recommend-runtime.js';

const cache = new Map<string, Promise<HardwareInfo>>();

/**
 * Detects CPU, memory, GPUs, NPUs and acceleration libraries, and recommends ONNX
 * Runtime settings. Probes run in parallel, each within `timeoutMs`; a probe that fails
 * or times out leaves its facts unknown and is listed in `probes` — detection itself
 * never fails (only an aborted `signal` rejects, with `ABORTED`). Results are cached
 * per set of options; pass `refresh: true` to probe again.
 *
 * @example
 * const hw = await detectHardware();
 * console.log(hw.cpu.model, hw.cpu.simd, hw.gpus.map((g) => g.name));
 * console.log(hw.recommendation.executionProviders); // e.g. ['cuda', 'cpu']
 */
export async function detectHardware(options: DetectHardwareOptions = {}): Promise<HardwareInfo> {
  const resolved = resolveDetectOptions(options);
  throwIfAborted(resolved.signal);
  const key = detectOptionsKey(resolved);
  let pending = options.refresh ? undefined : cache.get(key);
  if (!pending) {
    pending = runDetection(resolved);
    cache.set(key, pending);
    // An aborted run must not poison the cache for the next caller.
    pending.catch(() => cache.delete(key));
  }
  const info = await pending;
  throwIfAborted(resolved.signal);
  return info;
}

/** Forgets cached detection results (e.g. after a driver install). */
export function clearHardwareCache(): void {
  cache.clear();
}

async function runDetection(options: ReturnType<typeof resolveDetectOptions>): Promise<HardwareInfo> {
  const ctx = new ProbeContext(options);
  const [cpu, memory, gpus, npus, acceleration] = await Promise.all([
    detectCpu(ctx),
    detectMemory(ctx),
    detectGpus(ctx),
    detectNpus(ctx),
    detectAcceleration(ctx),
  ]);
  throwIfAborted(options.signal);
  const info: Omit<HardwareInfo, 'recommendation'> = {
    platform: options.platform,
    arch: options.arch,
    cpu,
    memory,
    gpus,
    npus,
    acceleration,
    probes: ctx.reports.sort((a, b) => a.name.localeCompare(b.name)),
    detectedAt: new Date().toISOString(),
  };
  return { ...info, recommendation: recommendRuntime(info) };
}
