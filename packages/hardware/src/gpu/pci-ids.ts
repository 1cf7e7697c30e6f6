import path from 'node:path';
import { pathExists, readText } from '../probe/fs-read.js';

/** Device names from the system's PCI id database (`pci.ids`, shipped by hwdata / pciutils). */
export class PciIdDatabase {
  private constructor(private readonly text: string) {}

  /** Loads the first database found, or undefined when none is installed. */
  static async load(rootDir: string, explicitPath: string | undefined, signal?: AbortSignal): Promise<PciIdDatabase | undefined> {
    const candidates = explicitPath
      ? [explicitPath]
      : ['usr/share/hwdata/pci.ids', 'usr/share/misc/pci.ids', 'usr/share/pci.ids'].map((p) => path.join(rootDir, p));
    for (const file of candidates) {
      if (!(await pathExists(file))) continue;
      const text = await readText(file, signal);
      if (text) return new PciIdDatabase(text);
    }
    return undefined;
  }

  /** Parses database text directly (tests). */
  static fromText(text: string): PciIdDatabase {
    return new PciIdDatabase(text);
  }

  /**
   * Name of a device, e.g. `AD102 [GeForce RTX 4090]`, or undefined.
   *
   * @example
   * db.deviceName('10de', '2684') // 'AD102 [GeForce RTX 4090]'
   */
  deviceName(vendorId: string, deviceId: string): string | undefined {
    const vendorLine = new RegExp(`^${vendorId.toLowerCase()}\\s+`, 'm');
    const vendorMatch = vendorLine.exec(this.text);
    if (!vendorMatch) return undefined;
    const rest = this.text.slice(vendorMatch.index + vendorMatch[0].length);
    const nextVendor = /^[0-9a-f]{4}\s/m.exec(rest);
    const block = nextVendor ? rest.slice(0, nextVendor.index) : rest;
    const device = new RegExp(`^\\t${deviceId.toLowerCase()}\\s+(.+)$`, 'm').exec(block);
    return device?.[1]?.trim();
  }
}
