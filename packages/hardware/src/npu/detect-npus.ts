import path from 'node:path';
import type { NpuInfo, NpuVendor } from '../hardware-info.js';
import type { ProbeContext } from '../probe/probe-context.js';
import { listDir, parseKeyValueLines, pathExists, readAttr, readText } from '../probe/fs-read.js';
import { normaliseHexId, normalisePciAddress } from '../gpu/pci-vendors.js';

/** Known NPU PCI ids (`vendor:device`) and their names. */
const KNOWN_NPUS: Readonly<Record<string, { vendor: NpuVendor; name: string }>> = {
  '8086:7d1d': { vendor: 'intel', name: 'Intel NPU (Meteor Lake)' },
  '8086:ad1d': { vendor: 'intel', name: 'Intel NPU (Arrow Lake)' },
  '8086:643e': { vendor: 'intel', name: 'Intel NPU (Lunar Lake)' },
  '8086:b03e': { vendor: 'intel', name: 'Intel NPU (Panther Lake)' },
  '1022:1502': { vendor: 'amd', name: 'AMD Ryzen AI NPU (XDNA)' },
  '1022:17f0': { vendor: 'amd', name: 'AMD Ryzen AI NPU (XDNA 2)' },
  '17cb:a100': { vendor: 'qualcomm', name: 'Qualcomm Cloud AI 100' },
};

/** Kernel drivers of NPUs, for accel devices whose PCI id is not in the table. */
const NPU_DRIVERS: Readonly<Record<string, NpuVendor>> = {
  intel_vpu: 'intel',
  amdxdna: 'amd',
  qaic: 'qualcomm',
};

/** PCI class 0x12: processing accelerators. */
const ACCELERATOR_CLASS = /^0x12/;

/** Detects NPUs: sysfs PCI devices and `class/accel` on Linux, the Neural Engine on Apple silicon. */
export async function detectNpus(ctx: ProbeContext): Promise<NpuInfo[]> {
  const { platform, arch } = ctx.options;
  if (platform === 'darwin') {
    // Every Apple-silicon Mac has a Neural Engine, reachable through Core ML.
    return arch === 'arm64' ? [{ vendor: 'apple', name: 'Apple Neural Engine', driverLoaded: true }] : [];
  }
  if (platform !== 'linux') {
    ctx.skip('npu', `no NPU probe on ${platform}`);
    return [];
  }
  return ctx.run('npu:sysfs', [] as NpuInfo[], (signal) => scanSysfsNpus(ctx.options.sysRoot, ctx.options.devRoot, signal));
}

export async function scanSysfsNpus(sysRoot: string, devRoot: string, signal?: AbortSignal): Promise<NpuInfo[]> {
  const found = new Map<string, NpuInfo>();
  const pciRoot = path.join(sysRoot, 'bus', 'pci', 'devices');
  for (const address of await listDir(pciRoot)) {
    const dir = path.join(pciRoot, address);
    const vendorId = normaliseHexId((await readAttr(path.join(dir, 'vendor'), signal)) ?? '0');
    const deviceId = normaliseHexId((await readAttr(path.join(dir, 'device'), signal)) ?? '0');
    const pciClass = (await readAttr(path.join(dir, 'class'), signal)) ?? '';
    const driver = parseKeyValueLines(await readText(path.join(dir, 'uevent'), signal))['DRIVER'];
    const known = KNOWN_NPUS[`${vendorId}:${deviceId}`];
    const driverVendor = driver ? NPU_DRIVERS[driver] : undefined;
    if (!known && !driverVendor && !ACCELERATOR_CLASS.test(pciClass)) continue;
    const npu: NpuInfo = {
      vendor: known?.vendor ?? driverVendor ?? vendorOf(vendorId),
      name: known?.name ?? `NPU [${vendorId}:${deviceId}]`,
      driverLoaded: driver !== undefined,
      pciAddress: normalisePciAddress(address),
    };
    if (driver) npu.driver = driver;
    found.set(npu.pciAddress ?? address, npu);
  }

  // Accel nodes tell which device file serves which NPU.
  const accelRoot = path.join(sysRoot, 'class', 'accel');
  for (const node of await listDir(accelRoot)) {
    if (!/^accel\d+$/.test(node)) continue;
    const uevent = parseKeyValueLines(await readText(path.join(accelRoot, node, 'device', 'uevent'), signal));
    const slot = uevent['PCI_SLOT_NAME'] ? normalisePciAddress(uevent['PCI_SLOT_NAME']) : undefined;
    const devicePath = path.join(devRoot, 'accel', node);
    const existing = slot ? found.get(slot) : undefined;
    const target: NpuInfo = existing ?? {
      vendor: (uevent['DRIVER'] && NPU_DRIVERS[uevent['DRIVER']]) || 'other',
      name: `NPU (${uevent['DRIVER'] ?? node})`,
      driverLoaded: uevent['DRIVER'] !== undefined,
    };
    if (uevent['DRIVER']) {
      target.driver = uevent['DRIVER'];
      target.driverLoaded = true;
    }
    if (await pathExists(devicePath)) target.devicePath = devicePath;
    if (!existing) found.set(slot ?? node, target);
  }
  return [...found.values()];
}

function vendorOf(vendorId: string): NpuVendor {
  if (vendorId === '8086') return 'intel';
  if (vendorId === '1022' || vendorId === '1002') return 'amd';
  if (vendorId === '17cb' || vendorId === '5143') return 'qualcomm';
  return 'other';
}
