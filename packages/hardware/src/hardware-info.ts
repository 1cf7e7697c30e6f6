/**
 * What `detectHardware` reports. Every field a probe could not establish is
 * `undefined` ("unknown"), never a guess; `probes` says which probe failed and why.
 */
export interface HardwareInfo {
  /** `process.platform` of the detected machine (or the injected one). */
  platform: NodeJS.Platform;
  /** CPU architecture as Node names it (`x64`, `arm64`, …). */
  arch: string;
  cpu: CpuInfo;
  memory: MemoryInfo;
  /** Display/compute adapters, discrete first. Empty when none was found. */
  gpus: GpuInfo[];
  /** Neural processing units (Intel NPU, AMD XDNA, Apple Neural Engine, …). */
  npus: NpuInfo[];
  /** Acceleration libraries found on the machine. */
  acceleration: AccelerationInfo;
  /** What ONNX Runtime should use here, derived from everything above. */
  recommendation: RuntimeRecommendation;
  /** One entry per probe that ran: status, duration and error, for diagnostics. */
  probes: ProbeReport[];
  /** ISO-8601 time of detection (results are cached). */
  detectedAt: string;
}

/** SIMD instruction-set extensions that matter to ML kernels, normalised across vendors. */
export type SimdFeature =
  | 'sse4_1'
  | 'sse4_2'
  | 'avx'
  | 'avx2'
  | 'fma'
  | 'f16c'
  | 'avx_vnni'
  | 'avx512f'
  | 'avx512bw'
  | 'avx512vl'
  | 'avx512_vnni'
  | 'avx512_bf16'
  | 'avx512_fp16'
  | 'amx'
  | 'neon'
  | 'dotprod'
  | 'i8mm'
  | 'bf16'
  | 'fp16'
  | 'sve'
  | 'sve2';

export interface CpuInfo {
  /** Vendor string, e.g. `GenuineIntel`, `AuthenticAMD`, `ARM`, `Apple`. */
  vendor?: string;
  /** Marketing name, e.g. `AMD Ryzen 9 7950X 16-Core Processor`. */
  model?: string;
  /** Logical CPUs (hardware threads) the OS reports. Always ≥ 1. */
  logicalCores: number;
  /** Physical cores (without SMT siblings), when the platform tells. */
  physicalCores?: number;
  /** CPU packages (sockets), when the platform tells. */
  sockets?: number;
  /** `os.availableParallelism()`: logical CPUs this process may run on (affinity). */
  availableParallelism: number;
  /** CPUs granted by a cgroup quota (containers), e.g. `1.5`; undefined when unlimited. */
  quota?: number;
  /** Nominal frequency in MHz, when known. */
  frequencyMhz?: number;
  /** Raw feature flags as the OS lists them (lower-case). */
  flags: string[];
  /** Normalised SIMD features, see {@link SimdFeature}. */
  simd: SimdFeature[];
}

export interface MemoryInfo {
  /** Physical memory in bytes. Always > 0. */
  totalBytes: number;
  /** Memory available for new work without swapping, when known. */
  availableBytes?: number;
  /** A cgroup memory limit below `totalBytes`, when one applies. */
  limitBytes?: number;
}

export type GpuVendor = 'nvidia' | 'amd' | 'intel' | 'apple' | 'qualcomm' | 'arm' | 'virtual' | 'other';
export type GpuKind = 'discrete' | 'integrated' | 'virtual' | 'unknown';
/** Where a GPU fact came from. */
export type GpuSource = 'nvidia-smi' | 'sysfs' | 'wmi' | 'system_profiler';

export interface GpuInfo {
  vendor: GpuVendor;
  /** PCI vendor id, 4 lower-case hex digits (`10de`). */
  vendorId?: string;
  /** PCI device id, 4 lower-case hex digits. */
  deviceId?: string;
  /** Human-readable name, when a driver, tool or the PCI id database tells. */
  name?: string;
  kind: GpuKind;
  /** Dedicated memory in bytes, when known. */
  memoryTotalBytes?: number;
  /** Dedicated memory in use, when known. */
  memoryUsedBytes?: number;
  /** Kernel driver bound to the device (`nvidia`, `amdgpu`, `i915`, `xe`, …). */
  driver?: string;
  driverVersion?: string;
  /** PCI address `dddd:bb:dd.f`. */
  pciAddress?: string;
  /** CUDA compute capability (`8.9`), NVIDIA only. */
  computeCapability?: string;
  /** Index as the vendor tool numbers it (nvidia-smi index). */
  index?: number;
  sources: GpuSource[];
}

export type NpuVendor = 'intel' | 'amd' | 'qualcomm' | 'apple' | 'other';

export interface NpuInfo {
  vendor: NpuVendor;
  name: string;
  /** Kernel driver (`intel_vpu`, `amdxdna`, `qaic`), when bound. */
  driver?: string;
  /** False when the device is present but no driver is bound, so it cannot be used yet. */
  driverLoaded: boolean;
  pciAddress?: string;
  /** Device node such as `/dev/accel/accel0`, when one exists. */
  devicePath?: string;
}

/** Presence of one acceleration library. */
export interface LibraryInfo {
  available: boolean;
  /** Version, when a version file or the library's soname tells. */
  version?: string;
  /** Where it was found (files or directories). */
  paths: string[];
}

export interface AccelerationInfo {
  /** NVIDIA driver + CUDA runtime (`libcudart`). */
  cuda: LibraryInfo;
  /** cuDNN, which ONNX Runtime's CUDA provider needs besides the runtime. */
  cudnn: LibraryInfo;
  /** NVIDIA TensorRT (`libnvinfer`). */
  tensorrt: LibraryInfo;
  /** AMD ROCm (HIP runtime). */
  rocm: LibraryInfo;
  /** Intel OpenVINO runtime. */
  openvino: LibraryInfo;
  /** Vulkan loader. */
  vulkan: LibraryInfo;
  /** DirectML (Windows). */
  directml: LibraryInfo;
  /** Core ML (macOS). */
  coreml: LibraryInfo;
}

/** ONNX Runtime execution-provider names as onnxruntime-node spells them. */
export type ExecutionProvider = 'tensorrt' | 'cuda' | 'dml' | 'coreml' | 'cpu';

export interface RuntimeRecommendation {
  /** Execution providers in order of preference; always ends with `cpu`. */
  executionProviders: ExecutionProvider[];
  /** Threads for one operator (`intraOpNumThreads`). */
  intraOpNumThreads: number;
  /** Threads across operators (`interOpNumThreads`); 1 suits sequential transformer graphs. */
  interOpNumThreads: number;
  /** Why: one sentence per decision, for logs and `tabagent hardware`. */
  reasons: string[];
}

/**
 * Outcome of one probe. `not-found` is normal (the tool or file does not exist here);
 * `skipped` means the probe does not apply to this platform.
 */
export type ProbeStatus = 'ok' | 'not-found' | 'skipped' | 'failed' | 'timeout';

export interface ProbeReport {
  name: string;
  status: ProbeStatus;
  durationMs: number;
  /** Short reason for `failed` / `timeout` / `not-found`. */
  error?: string;
}
