import type { GpuInfo } from '../hardware-info.js';
import { runCommand } from '../probe/run-command.js';
import { normalisePciAddress } from './pci-vendors.js';

/** Fields queried, in order. `compute_cap` needs driver ≥ 510; older drivers get the short list. */
export const NVIDIA_SMI_FIELDS = ['index', 'name', 'memory.total', 'memory.used', 'driver_version', 'pci.bus_id', 'uuid', 'compute_cap'] as const;
const MIB = 1024 * 1024;

/** Queries nvidia-smi; falls back to the field list without `compute_cap` for old drivers. */
export async function queryNvidiaSmi(command: readonly string[], signal: AbortSignal): Promise<GpuInfo[]> {
  const args = (fields: readonly string[]) => [`--query-gpu=${fields.join(',')}`, '--format=csv,noheader,nounits'];
  try {
    return parseNvidiaSmiCsv(await runCommand(command, args(NVIDIA_SMI_FIELDS), signal), NVIDIA_SMI_FIELDS);
  } catch (err) {
    if (!(err instanceof Error) || !/compute_cap|not a valid field/i.test(err.message)) throw err;
    const fields = NVIDIA_SMI_FIELDS.filter((f) => f !== 'compute_cap');
    return parseNvidiaSmiCsv(await runCommand(command, args(fields), signal), fields);
  }
}

/**
 * Parses `nvidia-smi --query-gpu=… --format=csv,noheader,nounits` output.
 *
 * @example
 * parseNvidiaSmiCsv('0, NVIDIA GeForce RTX 4090, 24564, 3, 550.54.14, 00000000:01:00.0, GPU-1, 8.9\n', NVIDIA_SMI_FIELDS)
 */
export function parseNvidiaSmiCsv(text: string, fields: readonly string[]): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const cells = splitCsvLine(line);
    if (cells.length < fields.length) continue;
    const row = new Map(fields.map((f, i) => [f, cells[i] ?? '']));
    const gpu: GpuInfo = { vendor: 'nvidia', vendorId: '10de', kind: 'discrete', sources: ['nvidia-smi'] };
    const index = Number(row.get('index'));
    if (Number.isInteger(index)) gpu.index = index;
    const name = known(row.get('name'));
    if (name) gpu.name = name;
    const total = Number(known(row.get('memory.total')));
    if (total > 0) gpu.memoryTotalBytes = total * MIB;
    const used = Number(known(row.get('memory.used')));
    if (known(row.get('memory.used')) !== undefined && used >= 0) gpu.memoryUsedBytes = used * MIB;
    const driverVersion = known(row.get('driver_version'));
    if (driverVersion) gpu.driverVersion = driverVersion;
    const bus = known(row.get('pci.bus_id'));
    if (bus) gpu.pciAddress = normalisePciAddress(bus);
    const cc = known(row.get('compute_cap'));
    if (cc) gpu.computeCapability = cc;
    gpu.driver = 'nvidia';
    gpus.push(gpu);
  }
  return gpus;
}

/** nvidia-smi prints `[N/A]` or `[Not Supported]` for fields a board lacks. */
function known(value: string | undefined): string | undefined {
  const v = value?.trim();
  return !v || /^\[.*\]$/.test(v) || v === 'N/A' ? undefined : v;
}

function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') {
      if (quoted && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else quoted = !quoted;
    } else if (ch === ',' && !quoted) {
      cells.push(cell.trim());
      cell = '';
    } else cell += ch;
  }
  cells.push(cell.trim());
  return cells;
}
