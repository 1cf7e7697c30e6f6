import { describe, expect, it } from 'vitest';
import { armCpuinfo, x86Cpuinfo } from '../../test/fixtures/linux-workstation.js';
import { parseCpuinfo } from './parse-cpuinfo.js';
import { simdFromFlags } from './simd.js';

describe('parseCpuinfo', () => {
  it('reads model, vendor, SMT topology and flags of an x86 CPU', () => {
    const facts = parseCpuinfo(x86Cpuinfo());
    expect(facts.vendor).toBe('GenuineIntel');
    expect(facts.model).toBe('11th Gen Intel(R) Core(TM) i7-1185G7 @ 3.00GHz');
    expect(facts.logicalCores).toBe(8);
    expect(facts.physicalCores).toBe(4);
    expect(facts.sockets).toBe(1);
    expect(facts.frequencyMhz).toBe(2995);
    expect(facts.flags).toContain('avx512_vnni');
    expect(simdFromFlags(facts.flags, 'x64')).toEqual([
      'sse4_1', 'sse4_2', 'avx', 'avx2', 'fma', 'f16c', 'avx512f', 'avx512bw', 'avx512vl', 'avx512_vnni',
    ]);
  });

  it('names Arm cores from implementer/part and maps asimd to neon', () => {
    const facts = parseCpuinfo(armCpuinfo());
    expect(facts.vendor).toBe('ARM');
    expect(facts.model).toBe('Neoverse-N1');
    expect(facts.logicalCores).toBe(4);
    expect(facts.physicalCores).toBe(4);
    expect(simdFromFlags(facts.flags, 'arm64')).toEqual(['neon', 'dotprod', 'fp16']);
  });

  it('returns no cores for empty input rather than throwing', () => {
    expect(parseCpuinfo('')).toEqual({ logicalCores: 0, flags: [] });
  });
});

describe('simdFromFlags', () => {
  it('treats NEON as present on every arm64 CPU', () => {
    expect(simdFromFlags([], 'arm64')).toEqual(['neon']);
    expect(simdFromFlags([], 'x64')).toEqual([]);
  });

  it('understands macOS hw.optional keys', () => {
    expect(simdFromFlags(['avx2_0', 'avx512f', 'arm.feat_dotprod'], 'x64')).toEqual(['avx2', 'avx512f', 'dotprod']);
  });
});
