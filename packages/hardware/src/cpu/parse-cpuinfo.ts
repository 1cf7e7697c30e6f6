/** What `/proc/cpuinfo` tells, before cgroup and `node:os` facts are merged in. */
export interface CpuinfoFacts {
  vendor?: string;
  model?: string;
  logicalCores: number;
  physicalCores?: number;
  sockets?: number;
  frequencyMhz?: number;
  flags: string[];
}

/** A few Arm core part numbers (implementer 0x41), since Arm kernels print no model name. */
const ARM_PARTS: Record<string, string> = {
  '0xd03': 'Cortex-A53',
  '0xd07': 'Cortex-A57',
  '0xd08': 'Cortex-A72',
  '0xd0b': 'Cortex-A76',
  '0xd0c': 'Neoverse-N1',
  '0xd40': 'Neoverse-V1',
  '0xd49': 'Neoverse-N2',
  '0xd4f': 'Neoverse-V2',
  '0xd41': 'Cortex-A78',
  '0xd44': 'Cortex-X1',
};
const ARM_IMPLEMENTERS: Record<string, string> = {
  '0x41': 'ARM',
  '0x42': 'Broadcom',
  '0x43': 'Cavium',
  '0x46': 'Fujitsu',
  '0x48': 'HiSilicon',
  '0x4e': 'NVIDIA',
  '0x51': 'Qualcomm',
  '0x61': 'Apple',
  '0xc0': 'Ampere',
};

/**
 * Parses Linux `/proc/cpuinfo` (x86 and Arm layouts).
 *
 * @example
 * parseCpuinfo(readFileSync('/proc/cpuinfo', 'utf8')).flags.includes('avx2')
 */
export function parseCpuinfo(text: string): CpuinfoFacts {
  const blocks = text
    .split(/\n\s*\n/)
    .map(parseBlock)
    .filter((b) => Object.keys(b).length > 0);
  const processors = blocks.filter((b) => b['processor'] !== undefined && /^\d+$/.test(b['processor']));
  const first = processors[0] ?? blocks[0] ?? {};
  const global = Object.assign({}, ...blocks) as Record<string, string>;

  const flagsText = first['flags'] ?? first['features'] ?? global['flags'] ?? global['features'] ?? '';
  const flags = [...new Set(flagsText.split(/\s+/).filter(Boolean).map((f) => f.toLowerCase()))];

  const facts: CpuinfoFacts = { logicalCores: Math.max(processors.length, 0), flags };

  const implementer = first['cpu implementer'];
  const vendor = first['vendor_id'] ?? (implementer ? (ARM_IMPLEMENTERS[implementer] ?? implementer) : undefined);
  if (vendor) facts.vendor = vendor;

  let model = first['model name'] ?? first['cpu model'] ?? global['hardware'];
  if (!model && implementer) {
    const part = first['cpu part'];
    const known = implementer === '0x41' && part ? ARM_PARTS[part] : undefined;
    model = known ?? `${vendor ?? 'Arm'} part ${part ?? 'unknown'}`;
  }
  if (model) facts.model = model.replace(/\s+/g, ' ').trim();

  const mhz = Number(first['cpu mhz']);
  if (Number.isFinite(mhz) && mhz > 0) facts.frequencyMhz = Math.round(mhz);

  // Physical cores: distinct (package, core) pairs. Arm kernels omit both ids, so
  // there every logical CPU is its own core (no SMT on those parts).
  const cores = new Set<string>();
  const packages = new Set<string>();
  for (const p of processors) {
    const pkg = p['physical id'];
    const core = p['core id'];
    if (pkg !== undefined) packages.add(pkg);
    if (core !== undefined) cores.add(`${pkg ?? 0}:${core}`);
  }
  if (cores.size > 0) facts.physicalCores = cores.size;
  else if (implementer && processors.length > 0) facts.physicalCores = processors.length;
  if (packages.size > 0) facts.sockets = packages.size;
  return facts;
}

function parseBlock(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of block.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    out[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return out;
}
