import type { ExecutionProvider, HardwareInfo, RuntimeRecommendation } from '../hardware-info.js';

/** Options of {@link recommendRuntime}. */
export interface RecommendOptions {
  /**
   * Put TensorRT before CUDA when its libraries are present. Default false: TensorRT
   * builds an engine per input shape (minutes on first run), which suits servers, not
   * a desktop database that starts often.
   */
  preferTensorRt?: boolean;
  /** Upper bound on intra-op threads, e.g. to leave cores to the application. Default: none. */
  maxThreads?: number;
}

/** The facts the recommendation reads; a full {@link HardwareInfo} satisfies it. */
export type RecommendInput = Pick<HardwareInfo, 'platform' | 'cpu' | 'gpus' | 'acceleration'>;

/**
 * Recommends ONNX Runtime execution providers (in order, always ending with `cpu`) and
 * thread counts for this machine.
 *
 * @example
 * const hw = await detectHardware();
 * const { executionProviders, intraOpNumThreads } = recommendRuntime(hw);
 * await InferenceSession.create(modelPath, { executionProviders, intraOpNumThreads });
 */
export function recommendRuntime(info: RecommendInput, options: RecommendOptions = {}): RuntimeRecommendation {
  const providers: ExecutionProvider[] = [];
  const reasons: string[] = [];
  const { acceleration: acc, gpus, platform } = info;

  const nvidia = gpus.filter((g) => g.vendor === 'nvidia' && (g.sources.includes('nvidia-smi') || g.driver === 'nvidia'));
  if (nvidia.length > 0 && platform !== 'darwin') {
    if (acc.cuda.available && acc.cudnn.available) {
      if (options.preferTensorRt && acc.tensorrt.available) {
        providers.push('tensorrt');
        reasons.push('TensorRT libraries found and preferTensorRt is set');
      }
      providers.push('cuda');
      reasons.push(`NVIDIA GPU (${nvidia[0]?.name ?? 'unnamed'}) with CUDA ${acc.cuda.version ?? ''} runtime and cuDNN: cuda first`.replace('  ', ' '));
    } else {
      const missing = [acc.cuda.available ? undefined : 'CUDA runtime (libcudart)', acc.cudnn.available ? undefined : 'cuDNN'].filter(Boolean);
      reasons.push(`NVIDIA GPU found but ${missing.join(' and ')} missing: the CUDA provider cannot load`);
    }
  } else if (acc.cuda.available && platform !== 'darwin') {
    reasons.push('CUDA libraries found but no NVIDIA GPU with a working driver: cuda not used');
  } else if (gpus.some((g) => g.vendor === 'amd' && g.kind !== 'integrated') && acc.rocm.available) {
    reasons.push('AMD GPU with ROCm found, but onnxruntime-node ships no ROCm provider: CPU');
  }

  if (platform === 'win32' && !providers.includes('cuda')) {
    const usable = gpus.filter((g) => g.kind !== 'virtual');
    if (acc.directml.available && usable.length > 0) {
      providers.push('dml');
      reasons.push(`DirectML present with ${usable.length} GPU(s): dml`);
    }
  }
  if (platform === 'darwin' && acc.coreml.available) {
    providers.push('coreml');
    reasons.push('Core ML framework present: coreml (Neural Engine / GPU)');
  }

  providers.push('cpu');
  if (providers.length === 1) reasons.push('no usable accelerator: cpu only');

  const intraOpNumThreads = recommendIntraOpThreads(info, options.maxThreads);
  reasons.push(`${intraOpNumThreads} intra-op thread(s): ${threadReason(info)}`);
  return { executionProviders: providers, intraOpNumThreads, interOpNumThreads: 1, reasons };
}

/**
 * Execution providers for onnxruntime-node, in order.
 *
 * @example
 * recommendExecutionProviders(await detectHardware()) // ['cuda', 'cpu'] on a CUDA box, ['cpu'] here
 */
export function recommendExecutionProviders(info: RecommendInput, options: RecommendOptions = {}): ExecutionProvider[] {
  return recommendRuntime(info, options).executionProviders;
}

/**
 * Intra-op threads: physical cores (SMT siblings share the SIMD units matrix kernels
 * saturate), bounded by the cgroup quota and the CPUs this process may run on.
 *
 * @example
 * recommendIntraOpThreads(await detectHardware()) // 8 on an 8-core/16-thread desktop
 */
export function recommendIntraOpThreads(info: Pick<HardwareInfo, 'cpu'>, maxThreads?: number): number {
  const { cpu } = info;
  let n = cpu.physicalCores ?? cpu.logicalCores;
  n = Math.min(n, cpu.availableParallelism);
  if (cpu.quota !== undefined) n = Math.min(n, Math.max(1, Math.floor(cpu.quota)));
  if (maxThreads !== undefined) n = Math.min(n, maxThreads);
  return Math.max(1, Math.floor(n));
}

function threadReason(info: Pick<HardwareInfo, 'cpu'>): string {
  const { cpu } = info;
  const parts = [`${cpu.physicalCores ?? '?'} physical / ${cpu.logicalCores} logical cores`, `${cpu.availableParallelism} available`];
  if (cpu.quota !== undefined) parts.push(`cgroup quota ${cpu.quota}`);
  return parts.join(', ');
}
