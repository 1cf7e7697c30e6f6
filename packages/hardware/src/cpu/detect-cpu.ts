import os from 'node:os';
import path from 'node:path';
import type { CpuInfo } from '../hardware-info.js';
import type { ProbeContext } from '../probe/probe-context.js';
import { ProbeNotFound } from '../probe/probe-context.js';
import { readText } from '../probe/fs-read.js';
import { runCommand } from '../probe/run-command.js';
import { readCgroupLimits } from './cgroup.js';
import { parseCpuinfo } from './parse-cpuinfo.js';
import { simdFromFlags } from './simd.js';

/** CPU facts from `node:os`: the fallback every platform has. */
export function cpuFromOs(arch: string): CpuInfo {
  const cpus = os.cpus();
  const first = cpus[0];
  const info: CpuInfo = {
    logicalCores: Math.max(1, cpus.length, os.availableParallelism()),
    availableParallelism: Math.max(1, os.availableParallelism()),
    flags: [],
    simd: simdFromFlags([], arch),
  };
  if (first?.model) info.model = first.model.trim();
  if (first && first.speed > 0) info.frequencyMhz = first.speed;
  return info;
}

/** Detects the CPU: `/proc/cpuinfo` and the cgroup quota on Linux, `sysctl` on macOS, `node:os` elsewhere. */
export async function detectCpu(ctx: ProbeContext): Promise<CpuInfo> {
  const { platform, arch, procRoot, sysRoot } = ctx.options;
  const info = cpuFromOs(arch);

  if (platform === 'linux') {
    const facts = await ctx.run('cpu:/proc/cpuinfo', undefined, async (signal) => {
      const text = await readText(path.join(procRoot, 'cpuinfo'), signal);
      if (text === undefined) throw new ProbeNotFound('cpuinfo not readable');
      return parseCpuinfo(text);
    });
    if (facts) {
      if (facts.vendor) info.vendor = facts.vendor;
      if (facts.model) info.model = facts.model;
      if (facts.logicalCores > 0) info.logicalCores = facts.logicalCores;
      if (facts.physicalCores) info.physicalCores = facts.physicalCores;
      if (facts.sockets) info.sockets = facts.sockets;
      if (facts.frequencyMhz) info.frequencyMhz = facts.frequencyMhz;
      info.flags = facts.flags;
      info.simd = simdFromFlags(facts.flags, arch);
    }
    const limits = await ctx.run('cpu:cgroup', {}, (signal) => readCgroupLimits(procRoot, sysRoot, signal));
    if (limits.cpuQuota !== undefined) info.quota = limits.cpuQuota;
  } else if (platform === 'darwin') {
    const text = await ctx.run('cpu:sysctl', undefined, (signal) => runCommand(ctx.options.commands.macCpu, [], signal));
    if (text !== undefined) {
      const parsed = parseSysctl(text);
      info.flags = parsed.flags;
      info.simd = simdFromFlags(parsed.flags, arch);
      if (parsed.brand) info.model = parsed.brand;
      info.vendor = parsed.brand?.startsWith('Apple') ? 'Apple' : info.vendor;
    }
  } else {
    ctx.skip('cpu:flags', `no CPU flag probe on ${platform}; node:os facts only`);
  }
  if (info.physicalCores !== undefined && info.physicalCores > info.logicalCores) info.physicalCores = info.logicalCores;
  return info;
}

/** Parses `sysctl hw.optional machdep.cpu.brand_string`: enabled `hw.optional.*` keys become flags. */
export function parseSysctl(text: string): { flags: string[]; brand?: string } {
  const flags: string[] = [];
  let brand: string | undefined;
  for (const line of text.split('\n')) {
    const m = /^([\w.]+):\s*(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, key = '', value = ''] = m;
    if (key === 'machdep.cpu.brand_string') brand = value.trim();
    else if (key.startsWith('hw.optional.') && value.trim() === '1') flags.push(key.slice('hw.optional.'.length).toLowerCase());
  }
  return brand ? { flags, brand } : { flags };
}
