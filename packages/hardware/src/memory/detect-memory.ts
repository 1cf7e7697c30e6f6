import os from 'node:os';
import path from 'node:path';
import type { MemoryInfo } from '../hardware-info.js';
import type { ProbeContext } from '../probe/probe-context.js';
import { ProbeNotFound } from '../probe/probe-context.js';
import { readText } from '../probe/fs-read.js';
import { readCgroupLimits } from '../cpu/cgroup.js';

/** Parses `/proc/meminfo` (`MemTotal: 16318524 kB`) into bytes per key. */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\w+(?:\(\w+\))?):\s+(\d+)(?:\s+(kB))?/.exec(line);
    if (m) out.set(m[1] ?? '', Number(m[2]) * (m[3] ? 1024 : 1));
  }
  return out;
}

/** Detects physical and available memory, and a cgroup limit when one is lower. */
export async function detectMemory(ctx: ProbeContext): Promise<MemoryInfo> {
  const info: MemoryInfo = { totalBytes: os.totalmem(), availableBytes: os.freemem() };
  const { platform, procRoot, sysRoot } = ctx.options;
  if (platform !== 'linux') return info;

  const meminfo = await ctx.run('memory:/proc/meminfo', undefined, async (signal) => {
    const text = await readText(path.join(procRoot, 'meminfo'), signal);
    if (text === undefined) throw new ProbeNotFound('meminfo not readable');
    return parseMeminfo(text);
  });
  const total = meminfo?.get('MemTotal');
  if (total && total > 0) info.totalBytes = total;
  // MemAvailable (kernel ≥ 3.14) counts reclaimable cache; MemFree alone under-reports.
  const available = meminfo?.get('MemAvailable') ?? meminfo?.get('MemFree');
  if (available !== undefined) info.availableBytes = available;

  const limits = await ctx.run('memory:cgroup', {}, (signal) => readCgroupLimits(procRoot, sysRoot, signal));
  if (limits.memoryLimitBytes !== undefined && limits.memoryLimitBytes < info.totalBytes) {
    info.limitBytes = limits.memoryLimitBytes;
    if (info.availableBytes !== undefined) info.availableBytes = Math.min(info.availableBytes, limits.memoryLimitBytes);
  }
  return info;
}
