import type { GpuVendor } from '../hardware-info.js';

/** PCI vendor ids (4 lower-case hex digits) of GPU makers. */
export const PCI_VENDORS: Readonly<Record<string, GpuVendor>> = {
  '10de': 'nvidia',
  '1002': 'amd',
  '1022': 'amd',
  '8086': 'intel',
  '106b': 'apple',
  '5143': 'qualcomm',
  '13b5': 'arm',
  // Emulated adapters of hypervisors: present, but no compute to offer.
  '1af4': 'virtual', // virtio (Red Hat / QEMU)
  '1b36': 'virtual', // Red Hat QXL
  '1234': 'virtual', // QEMU standard VGA
  '15ad': 'virtual', // VMware SVGA
  '80ee': 'virtual', // VirtualBox
  '1414': 'virtual', // Microsoft Hyper-V
};

/** Display names used when neither a driver nor the PCI id database names a device. */
export const VENDOR_NAMES: Readonly<Record<GpuVendor, string>> = {
  nvidia: 'NVIDIA',
  amd: 'AMD',
  intel: 'Intel',
  apple: 'Apple',
  qualcomm: 'Qualcomm',
  arm: 'Arm',
  virtual: 'Virtual',
  other: 'Unknown vendor',
};

/** Vendor of a PCI vendor id such as `0x10de` or `10DE`. */
export function vendorFromPciId(id: string | undefined): GpuVendor {
  if (!id) return 'other';
  return PCI_VENDORS[normaliseHexId(id)] ?? 'other';
}

/** `0x10DE` → `10de`. */
export function normaliseHexId(id: string): string {
  return id.trim().toLowerCase().replace(/^0x/, '').padStart(4, '0');
}

/** Kernel DRM drivers of non-PCI (SoC) GPUs, which sysfs shows without PCI ids. */
export const SOC_DRIVER_VENDORS: Readonly<Record<string, GpuVendor>> = {
  panfrost: 'arm',
  panthor: 'arm',
  lima: 'arm',
  mali: 'arm',
  msm: 'qualcomm',
  virtio_gpu: 'virtual',
  vc4: 'other',
  v3d: 'other',
  tegra: 'nvidia',
  nouveau: 'nvidia',
};

/**
 * PCI address in sysfs form (`0000:01:00.0`). nvidia-smi prints an 8-digit domain
 * (`00000000:01:00.0`), so both are folded to 4 digits to match.
 */
export function normalisePciAddress(address: string): string {
  const m = /^(?:([0-9a-f]+):)?([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/i.exec(address.trim());
  if (!m) return address.trim().toLowerCase();
  const domain = (m[1] ?? '0').slice(-4).padStart(4, '0');
  return `${domain}:${m[2]}:${m[3]}.${m[4]}`.toLowerCase();
}
