import { describe, expect, it } from 'vitest';
import { parseMacGpus, parseWindowsGpus } from './os-gpus.js';

describe('parseWindowsGpus', () => {
  it('reads vendor and device ids from PNPDeviceID and distrusts uint32 AdapterRAM', () => {
    const json = JSON.stringify([
      { Name: 'NVIDIA GeForce RTX 3060', AdapterCompatibility: 'NVIDIA', AdapterRAM: 4293918720 + 1048575, DriverVersion: '31.0.15.5222', PNPDeviceID: 'PCI\\VEN_10DE&DEV_2504&SUBSYS_397D1462&REV_A1\\4&1' },
      { Name: 'Intel(R) UHD Graphics 770', AdapterCompatibility: 'Intel Corporation', AdapterRAM: 1073741824, DriverVersion: '31.0.101.4502', PNPDeviceID: 'PCI\\VEN_8086&DEV_4680&SUBSYS_7D141462&REV_0C\\3&1' },
    ]);
    const gpus = parseWindowsGpus(json);
    expect(gpus.map((g) => [g.vendor, g.kind, g.deviceId])).toEqual([
      ['nvidia', 'discrete', '2504'],
      ['intel', 'integrated', '4680'],
    ]);
    expect(gpus[0]?.memoryTotalBytes).toBeUndefined();
    expect(gpus[1]?.memoryTotalBytes).toBe(1073741824);
  });

  it('accepts the single-object form PowerShell prints for one adapter', () => {
    const gpus = parseWindowsGpus(JSON.stringify({ Name: 'Microsoft Basic Display Adapter', AdapterCompatibility: '(Standard display types)', PNPDeviceID: 'ROOT\\BASICDISPLAY\\0000' }));
    expect(gpus).toHaveLength(1);
    expect(gpus[0]?.name).toBe('Microsoft Basic Display Adapter');
  });
});

describe('parseMacGpus', () => {
  it('reads Apple silicon and discrete AMD entries', () => {
    const json = JSON.stringify({
      SPDisplaysDataType: [
        { _name: 'Apple M2 Pro', sppci_model: 'Apple M2 Pro', sppci_cores: '19', sppci_bus: 'spdisplays_builtin', spdisplays_vendor: 'sppci_vendor_Apple' },
        { _name: 'AMD Radeon Pro 5500M', sppci_model: 'AMD Radeon Pro 5500M', spdisplays_vram: '8 GB', sppci_bus: 'spdisplays_pcie_device', spdisplays_vendor: 'sppci_vendor_amd', 'spdisplays_device-id': '0x7340' },
      ],
    });
    const gpus = parseMacGpus(json);
    expect(gpus[0]).toMatchObject({ vendor: 'apple', kind: 'integrated', name: 'Apple M2 Pro' });
    expect(gpus[1]).toMatchObject({ vendor: 'amd', kind: 'discrete', memoryTotalBytes: 8 * 1024 ** 3, deviceId: '7340' });
  });
});
