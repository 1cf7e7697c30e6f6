import { describe, expect, it } from 'vitest';
import { NVIDIA_SMI_FIELDS, parseNvidiaSmiCsv } from './nvidia-smi.js';
import { normalisePciAddress } from './pci-vendors.js';
import { PciIdDatabase } from './pci-ids.js';

describe('parseNvidiaSmiCsv', () => {
  it('parses several boards, converting MiB to bytes and folding the PCI domain', () => {
    const csv =
      '0, NVIDIA GeForce RTX 4090, 24564, 1203, 550.54.14, 00000000:01:00.0, GPU-a, 8.9\n' +
      '1, "Tesla T4, PCIe", 15360, [N/A], 550.54.14, 00000000:41:00.0, GPU-b, 7.5\n';
    const gpus = parseNvidiaSmiCsv(csv, NVIDIA_SMI_FIELDS);
    expect(gpus).toHaveLength(2);
    expect(gpus[0]).toMatchObject({
      vendor: 'nvidia',
      kind: 'discrete',
      index: 0,
      name: 'NVIDIA GeForce RTX 4090',
      memoryTotalBytes: 24564 * 1024 * 1024,
      memoryUsedBytes: 1203 * 1024 * 1024,
      driverVersion: '550.54.14',
      pciAddress: '0000:01:00.0',
      computeCapability: '8.9',
    });
    expect(gpus[1]?.name).toBe('Tesla T4, PCIe');
    expect(gpus[1]?.memoryUsedBytes).toBeUndefined();
  });

  it('ignores blank and short lines', () => {
    expect(parseNvidiaSmiCsv('\n\ngarbage\n', NVIDIA_SMI_FIELDS)).toEqual([]);
  });
});

describe('PCI helpers', () => {
  it('normalises addresses from nvidia-smi and sysfs to one form', () => {
    expect(normalisePciAddress('00000000:01:00.0')).toBe('0000:01:00.0');
    expect(normalisePciAddress('0000:01:00.0')).toBe('0000:01:00.0');
    expect(normalisePciAddress('01:00.0')).toBe('0000:01:00.0');
  });

  it('looks device names up in pci.ids, within the right vendor only', () => {
    const db = PciIdDatabase.fromText('10de  NVIDIA Corporation\n\t2684  AD102 [GeForce RTX 4090]\n8086  Intel Corporation\n\t2684  Not this one\n');
    expect(db.deviceName('10de', '2684')).toBe('AD102 [GeForce RTX 4090]');
    expect(db.deviceName('8086', '2684')).toBe('Not this one');
    expect(db.deviceName('1002', '2684')).toBeUndefined();
  });
});
