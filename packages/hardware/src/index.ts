export { detectHardware, clearHardwareCache } from './detect-hardware.js';
export { DEFAULT_PROBE_TIMEOUT_MS } from './detect-options.js';
export type { DetectHardwareOptions, ProbeCommands } from './detect-options.js';
export { recommendRuntime, recommendExecutionProviders, recommendIntraOpThreads } from './recommend/recommend-runtime.js';
export type { RecommendOptions, RecommendInput } from './recommend/recommend-runtime.js';
export { parseCpuinfo } from './cpu/parse-cpuinfo.js';
export { simdFromFlags } from './cpu/simd.js';
export { parseNvidiaSmiCsv } from './gpu/nvidia-smi.js';
export type {
  HardwareInfo,
  CpuInfo,
  SimdFeature,
  MemoryInfo,
  GpuInfo,
  GpuVendor,
  GpuKind,
  GpuSource,
  NpuInfo,
  NpuVendor,
  LibraryInfo,
  AccelerationInfo,
  ExecutionProvider,
  RuntimeRecommendation,
  ProbeReport,
  ProbeStatus,
} from './hardware-info.js';
