import type { GpuInfo, GpuVendor } from '../hardware-info.js';
import { normaliseHexId, vendorFromPciId } from './pci-vendors.js';

/**
 * Parses the JSON of `Get-CimInstance Win32_VideoController | ConvertTo-Json` (an object
 * for one adapter, an array for several). `AdapterRAM` is a uint32 in WMI, so boards
 * with 4 GiB or more report a wrong size: it is only kept when below that ceiling.
 */
export function parseWindowsGpus(json: string): GpuInfo[] {
  const parsed: unknown = JSON.parse(json);
  const rows = (Array.isArray(parsed) ? parsed : [parsed]) as Array<Record<string, unknown>>;
  return rows
    .filter((r) => r && typeof r === 'object')
    .map((r) => {
      const pnp = String(r['PNPDeviceID'] ?? '');
      const ven = /VEN_([0-9A-F]{4})/i.exec(pnp)?.[1];
      const dev = /DEV_([0-9A-F]{4})/i.exec(pnp)?.[1];
      const vendor = ven ? vendorFromPciId(ven) : vendorFromText(String(r['AdapterCompatibility'] ?? r['Name'] ?? ''));
      const gpu: GpuInfo = { vendor, kind: kindFor(vendor, String(r['Name'] ?? '')), sources: ['wmi'] };
      if (ven) gpu.vendorId = normaliseHexId(ven);
      if (dev) gpu.deviceId = normaliseHexId(dev);
      if (typeof r['Name'] === 'string') gpu.name = r['Name'];
      if (typeof r['DriverVersion'] === 'string') gpu.driverVersion = r['DriverVersion'];
      const ram = Number(r['AdapterRAM']);
      if (ram > 0 && ram < 0xffff_ffff) gpu.memoryTotalBytes = ram;
      return gpu;
    });
}

/** Parses `system_profiler SPDisplaysDataType -json`. */
export function parseMacGpus(json: string): GpuInfo[] {
  const parsed = JSON.parse(json) as { SPDisplaysDataType?: Array<Record<string, unknown>> };
  return (parsed.SPDisplaysDataType ?? []).map((r) => {
    const name = String(r['sppci_model'] ?? r['_name'] ?? '');
    const vendor = vendorFromText(`${String(r['spdisplays_vendor'] ?? '')} ${name}`);
    const builtin = String(r['sppci_bus'] ?? '').includes('builtin');
    const gpu: GpuInfo = {
      vendor,
      kind: vendor === 'apple' || builtin ? 'integrated' : 'discrete',
      sources: ['system_profiler'],
    };
    if (name) gpu.name = name;
    const vram = parseSize(String(r['spdisplays_vram'] ?? r['_spdisplays_vram'] ?? ''));
    if (vram) gpu.memoryTotalBytes = vram;
    const dev = r['spdisplays_device-id'];
    if (typeof dev === 'string') gpu.deviceId = normaliseHexId(dev);
    return gpu;
  });
}

function vendorFromText(text: string): GpuVendor {
  const t = text.toLowerCase();
  if (t.includes('nvidia')) return 'nvidia';
  if (t.includes('amd') || t.includes('advanced micro') || t.includes('radeon') || t.includes('ati ')) return 'amd';
  if (t.includes('intel')) return 'intel';
  if (t.includes('apple')) return 'apple';
  if (t.includes('qualcomm') || t.includes('adreno')) return 'qualcomm';
  if (t.includes('microsoft') || t.includes('vmware') || t.includes('virtualbox') || t.includes('parallels')) return 'virtual';
  return 'other';
}

function kindFor(vendor: GpuVendor, name: string): GpuInfo['kind'] {
  if (vendor === 'virtual') return 'virtual';
  if (vendor === 'nvidia') return 'discrete';
  if (vendor === 'intel') return /\barc\b/i.test(name) && !/graphics$/i.test(name) ? 'discrete' : 'integrated';
  if (vendor === 'qualcomm' || vendor === 'apple') return 'integrated';
  return 'unknown';
}

function parseSize(text: string): number | undefined {
  const m = /([\d.]+)\s*(GB|MB)/i.exec(text);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * (m[2]?.toUpperCase() === 'GB' ? 1024 ** 3 : 1024 ** 2));
}
