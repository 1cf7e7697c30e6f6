import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { GpuInfo, GpuKind, GpuVendor } from '../hardware-info.js';
import { listDir, parseKeyValueLines, readAttr, readText } from '../probe/fs-read.js';
import { normaliseHexId, normalisePciAddress, SOC_DRIVER_VENDORS, vendorFromPciId } from './pci-vendors.js';

/** PCI base class 0x03: display controllers (VGA 0x0300, 3D 0x0302, other 0x0380). */
const DISPLAY_CLASS = /^0x03/;

/**
 * GPUs visible in sysfs: every PCI display controller under `bus/pci/devices` (bound to a
 * driver or not) plus DRM cards under `class/drm` that are not PCI devices (SoC GPUs).
 * Names are left to the caller (PCI id database).
 */
export async function scanSysfsGpus(sysRoot: string, signal?: AbortSignal): Promise<GpuInfo[]> {
  const byAddress = new Map<string, GpuInfo>();
  const pciRoot = path.join(sysRoot, 'bus', 'pci', 'devices');
  for (const address of await listDir(pciRoot)) {
    const dir = path.join(pciRoot, address);
    const pciClass = await readAttr(path.join(dir, 'class'), signal);
    if (!pciClass || !DISPLAY_CLASS.test(pciClass)) continue;
    byAddress.set(normalisePciAddress(address), await describePciGpu(dir, address, signal));
  }

  const drmRoot = path.join(sysRoot, 'class', 'drm');
  const soc: GpuInfo[] = [];
  for (const card of await listDir(drmRoot)) {
    // `card0` only: `card0-HDMI-A-1` are connectors, `renderD128` the same GPU again.
    if (!/^card\d+$/.test(card)) continue;
    const deviceDir = path.join(drmRoot, card, 'device');
    const uevent = parseKeyValueLines(await readText(path.join(deviceDir, 'uevent'), signal));
    const slot = uevent['PCI_SLOT_NAME'] ?? (await pciAddressFromLink(deviceDir));
    if (slot) {
      const key = normalisePciAddress(slot);
      if (!byAddress.has(key)) byAddress.set(key, await describePciGpu(deviceDir, slot, signal));
      continue;
    }
    const driver = uevent['DRIVER'] ?? (await driverFromLink(deviceDir));
    const vendor: GpuVendor = (driver && SOC_DRIVER_VENDORS[driver]) || 'other';
    const gpu: GpuInfo = { vendor, kind: vendor === 'virtual' ? 'virtual' : 'integrated', sources: ['sysfs'] };
    if (driver) gpu.driver = driver;
    const compatible = uevent['OF_COMPATIBLE_0'];
    if (compatible) gpu.name = compatible;
    soc.push(gpu);
  }
  return [...byAddress.values(), ...soc];
}

async function describePciGpu(dir: string, address: string, signal?: AbortSignal): Promise<GpuInfo> {
  const vendorId = normaliseHexId((await readAttr(path.join(dir, 'vendor'), signal)) ?? '0');
  const deviceId = normaliseHexId((await readAttr(path.join(dir, 'device'), signal)) ?? '0');
  const uevent = parseKeyValueLines(await readText(path.join(dir, 'uevent'), signal));
  const driver = uevent['DRIVER'] ?? (await driverFromLink(dir));
  const vendor = vendorFromPciId(vendorId);
  const gpu: GpuInfo = {
    vendor,
    vendorId,
    deviceId,
    kind: 'unknown',
    pciAddress: normalisePciAddress(address),
    sources: ['sysfs'],
  };
  if (driver) gpu.driver = driver;
  // amdgpu publishes VRAM size and use; other drivers do not, and stay unknown.
  const vramTotal = Number(await readAttr(path.join(dir, 'mem_info_vram_total'), signal));
  if (vramTotal > 0) gpu.memoryTotalBytes = vramTotal;
  const vramUsed = Number(await readAttr(path.join(dir, 'mem_info_vram_used'), signal));
  if (vramTotal > 0 && vramUsed >= 0 && Number.isFinite(vramUsed)) gpu.memoryUsedBytes = vramUsed;
  const productName = await readAttr(path.join(dir, 'product_name'), signal);
  if (productName) gpu.name = productName;
  gpu.kind = classifyKind(vendor, deviceId, gpu.memoryTotalBytes);
  return gpu;
}

/** Intel's discrete (Arc / DG1 / Battlemage) device-id ranges; every other Intel GPU is integrated. */
function isIntelDiscrete(deviceId: string): boolean {
  const id = Number.parseInt(deviceId, 16);
  return id === 0x4905 || (id >= 0x5690 && id <= 0x56ff) || (id >= 0xe200 && id <= 0xe2ff);
}

function classifyKind(vendor: GpuVendor, deviceId: string, vramBytes: number | undefined): GpuKind {
  switch (vendor) {
    case 'virtual':
      return 'virtual';
    case 'nvidia':
      return 'discrete';
    case 'intel':
      return isIntelDiscrete(deviceId) ? 'discrete' : 'integrated';
    case 'amd':
      // APUs get a small BIOS carve-out (512 MiB by default) reported as "VRAM";
      // discrete Radeons have at least 2 GiB. Unknown VRAM stays unknown.
      if (vramBytes === undefined) return 'unknown';
      return vramBytes <= 1024 ** 3 ? 'integrated' : 'discrete';
    default:
      return 'unknown';
  }
}

async function pciAddressFromLink(deviceDir: string): Promise<string | undefined> {
  try {
    const target = await fs.realpath(deviceDir);
    const base = path.basename(target);
    return /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/i.test(base) ? base : undefined;
  } catch {
    return undefined;
  }
}

async function driverFromLink(deviceDir: string): Promise<string | undefined> {
  try {
    return path.basename(await fs.readlink(path.join(deviceDir, 'driver')));
  } catch {
    return undefined;
  }
}
