import type { SimdFeature } from '../hardware-info.js';

/**
 * Flag spellings (Linux x86 `flags`, Linux Arm `Features`, macOS `hw.optional.*`)
 * mapped to one vocabulary, so callers test `simd.includes('avx2')` on any OS.
 */
const FLAG_TO_SIMD: Record<string, SimdFeature> = {
  sse4_1: 'sse4_1',
  sse4_2: 'sse4_2',
  avx: 'avx',
  avx2: 'avx2',
  fma: 'fma',
  f16c: 'f16c',
  avx_vnni: 'avx_vnni',
  avx512f: 'avx512f',
  avx512bw: 'avx512bw',
  avx512vl: 'avx512vl',
  avx512_vnni: 'avx512_vnni',
  avx512vnni: 'avx512_vnni',
  avx512_bf16: 'avx512_bf16',
  avx512_fp16: 'avx512_fp16',
  amx_tile: 'amx',
  // Arm (Linux): `asimd` is AArch64's name for NEON; 32-bit kernels say `neon`.
  neon: 'neon',
  asimd: 'neon',
  asimddp: 'dotprod',
  i8mm: 'i8mm',
  bf16: 'bf16',
  fphp: 'fp16',
  asimdhp: 'fp16',
  sve: 'sve',
  sve2: 'sve2',
  // macOS `sysctl hw.optional` keys (lower-cased, prefix stripped).
  'avx1_0': 'avx',
  'avx2_0': 'avx2',
  'arm.feat_dotprod': 'dotprod',
  'arm.feat_i8mm': 'i8mm',
  'arm.feat_bf16': 'bf16',
  'arm.feat_fp16': 'fp16',
};

const ORDER: readonly SimdFeature[] = [
  'sse4_1', 'sse4_2', 'avx', 'avx2', 'fma', 'f16c', 'avx_vnni', 'avx512f', 'avx512bw', 'avx512vl',
  'avx512_vnni', 'avx512_bf16', 'avx512_fp16', 'amx', 'neon', 'dotprod', 'i8mm', 'bf16', 'fp16', 'sve', 'sve2',
];

/**
 * Normalises raw CPU flags to {@link SimdFeature}s.
 *
 * @example
 * simdFromFlags(['fpu', 'avx2', 'avx512f'], 'x64') // ['avx2', 'avx512f']
 * simdFromFlags([], 'arm64')                        // ['neon'] — mandatory on AArch64
 */
export function simdFromFlags(flags: readonly string[], arch: string): SimdFeature[] {
  const found = new Set<SimdFeature>();
  for (const flag of flags) {
    const feature = FLAG_TO_SIMD[flag.toLowerCase()];
    if (feature) found.add(feature);
  }
  // NEON (Advanced SIMD) is part of the AArch64 base ISA, even where no flag lists it.
  if (arch === 'arm64') found.add('neon');
  return ORDER.filter((f) => found.has(f));
}
