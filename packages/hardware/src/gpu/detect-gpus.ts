import type { GpuInfo } from '../hardware-info.js';
import type { ProbeContext } from '../probe/probe-context.js';
import { runCommand } from '../probe/run-command.js';
import { queryNvidiaSmi } from './nvidia-smi.js';
import { parseMacGpus, parseWindowsGpus } from './os-gpus.js';
import { PciIdDatabase } from './pci-ids.js';
import { VENDOR_NAMES } from './pci-vendors.js';
import { scanSysfsGpus } from './sysfs-gpus.js';

const KIND_ORDER = { discrete: 0, integrated: 1, unknown: 2, virtual: 3 } as const;

/**
 * Detects GPUs: nvidia-smi everywhere it exists; sysfs on Linux; WMI on Windows;
 * system_profiler on macOS. Entries for the same PCI device are merged.
 */
export async function detectGpus(ctx: ProbeContext): Promise<GpuInfo[]> {
  const { platform, commands, sysRoot, rootDir, pciIdsPath } = ctx.options;
  const nvidia = await ctx.run('gpu:nvidia-smi', [] as GpuInfo[], (signal) => queryNvidiaSmi(commands.nvidiaSmi, signal));

  let others: GpuInfo[] = [];
  if (platform === 'linux') {
    others = await ctx.run('gpu:sysfs', [] as GpuInfo[], async (signal) => {
      const gpus = await scanSysfsGpus(sysRoot, signal);
      if (gpus.some((g) => !g.name && g.vendorId && g.deviceId)) {
        const db = await PciIdDatabase.load(rootDir, pciIdsPath, signal);
        for (const g of gpus) {
          if (!g.name && g.vendorId && g.deviceId) {
            const name = db?.deviceName(g.vendorId, g.deviceId);
            if (name) g.name = name;
          }
        }
      }
      return gpus;
    });
  } else if (platform === 'win32') {
    others = await ctx.run('gpu:wmi', [] as GpuInfo[], async (signal) => parseWindowsGpus(await runCommand(commands.windowsGpus, [], signal)));
  } else if (platform === 'darwin') {
    others = await ctx.run('gpu:system_profiler', [] as GpuInfo[], async (signal) =>
      parseMacGpus(await runCommand(commands.macGpus, [], signal)),
    );
  } else {
    ctx.skip('gpu:os', `no GPU enumeration on ${platform}`);
  }

  const merged = mergeGpus(nvidia, others);
  for (const g of merged) {
    if (!g.name) g.name = `${VENDOR_NAMES[g.vendor]} GPU${g.deviceId ? ` [${g.vendorId ?? '????'}:${g.deviceId}]` : ''}`;
  }
  return merged.sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
}

/** nvidia-smi rows win over sysfs/WMI rows of the same board (matched by PCI address, else by vendor order). */
export function mergeGpus(nvidia: GpuInfo[], others: GpuInfo[]): GpuInfo[] {
  const result = [...nvidia];
  const unmatchedNvidia = new Set(nvidia);
  for (const other of others) {
    let twin = other.pciAddress ? nvidia.find((n) => n.pciAddress === other.pciAddress) : undefined;
    // WMI rows carry no PCI address: pair NVIDIA rows with nvidia-smi rows in order.
    if (!twin && !other.pciAddress && other.vendor === 'nvidia') twin = [...unmatchedNvidia][0];
    if (twin) {
      unmatchedNvidia.delete(twin);
      twin.sources = [...new Set([...twin.sources, ...other.sources])];
      twin.vendorId ??= other.vendorId;
      twin.deviceId ??= other.deviceId;
      twin.driver ??= other.driver;
      twin.memoryTotalBytes ??= other.memoryTotalBytes;
      continue;
    }
    result.push(other);
  }
  return result;
}
