import path from 'node:path';
import type { AccelerationInfo, LibraryInfo } from '../hardware-info.js';
import type { ProbeContext } from '../probe/probe-context.js';
import { listDir, pathExists, readText } from '../probe/fs-read.js';
import { runCommand } from '../probe/run-command.js';

type LibraryKey = keyof AccelerationInfo;

/** Shared-object names (Linux) whose presence means a library is installed. */
const LINUX_LIBRARIES: ReadonlyArray<[Exclude<LibraryKey, 'directml' | 'coreml'>, RegExp]> = [
  ['cuda', /^libcudart\.so(\.[\d.]+)?$/],
  ['cudnn', /^libcudnn\.so(\.[\d.]+)?$/],
  ['tensorrt', /^libnvinfer\.so(\.[\d.]+)?$/],
  ['rocm', /^libamdhip64\.so(\.[\d.]+)?$/],
  ['openvino', /^libopenvino\.so(\.[\d.]+)?$/],
  ['vulkan', /^libvulkan\.so(\.[\d.]+)?$/],
];

export function emptyAcceleration(): AccelerationInfo {
  const none = (): LibraryInfo => ({ available: false, paths: [] });
  return { cuda: none(), cudnn: none(), tensorrt: none(), rocm: none(), openvino: none(), vulkan: none(), directml: none(), coreml: none() };
}

/** Parses `ldconfig -p` into library name → paths. */
export function parseLdconfig(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const m = /^\s*(\S+)\s+\(.*\)\s+=>\s+(\S+)\s*$/.exec(line);
    if (!m) continue;
    const [, name = '', file = ''] = m;
    out.set(name, [...(out.get(name) ?? []), file]);
  }
  return out;
}

/** Detects CUDA, cuDNN, TensorRT, ROCm, OpenVINO, Vulkan, DirectML and Core ML. */
export async function detectAcceleration(ctx: ProbeContext): Promise<AccelerationInfo> {
  const { platform } = ctx.options;
  if (platform === 'linux') return detectLinux(ctx);
  const info = emptyAcceleration();
  if (platform === 'win32') {
    await ctx.run('accel:windows', undefined, async () => {
      const systemRoot = ctx.options.env['SystemRoot'] ?? ctx.options.env['SYSTEMROOT'] ?? 'C:\\Windows';
      const system32 = path.join(systemRoot, 'System32');
      const found = async (key: LibraryKey, file: string): Promise<void> => {
        if (await pathExists(file)) info[key] = { available: true, paths: [file] };
      };
      await found('directml', path.join(system32, 'DirectML.dll'));
      await found('vulkan', path.join(system32, 'vulkan-1.dll'));
      const cudaPath = ctx.options.env['CUDA_PATH'];
      if (cudaPath && (await pathExists(path.join(system32, 'nvcuda.dll')))) {
        info.cuda = { available: true, paths: [cudaPath] };
        const version = /v(\d+\.\d+)/.exec(cudaPath)?.[1];
        if (version) info.cuda.version = version;
      }
      return undefined;
    });
  } else if (platform === 'darwin') {
    await ctx.run('accel:macos', undefined, async () => {
      const framework = path.join(ctx.options.rootDir, 'System', 'Library', 'Frameworks', 'CoreML.framework');
      if (await pathExists(framework)) info.coreml = { available: true, paths: [framework] };
      return undefined;
    });
  } else {
    ctx.skip('accel', `no acceleration-library probe on ${platform}`);
  }
  return info;
}

async function detectLinux(ctx: ProbeContext): Promise<AccelerationInfo> {
  const { rootDir, env, libraryDirs, commands } = ctx.options;
  const info = emptyAcceleration();
  const cache = await ctx.run('accel:ldconfig', new Map<string, string[]>(), async (signal) =>
    parseLdconfig(await runCommand(commands.ldconfig, [], signal)),
  );

  const root = (p: string): string => path.join(rootDir, p);
  const envDirs = (name: string, ...suffix: string[]): string[] => {
    const value = env[name];
    return value ? [path.join(value, ...suffix)] : [];
  };
  const dirs = [
    ...libraryDirs,
    ...(env['LD_LIBRARY_PATH'] ?? '').split(':').filter(Boolean),
    ...envDirs('CUDA_PATH', 'lib64'),
    ...envDirs('CUDA_HOME', 'lib64'),
    ...envDirs('ROCM_PATH', 'lib'),
    ...envDirs('INTEL_OPENVINO_DIR', 'runtime', 'lib', 'intel64'),
    root('usr/local/cuda/lib64'),
    root('opt/rocm/lib'),
    root('opt/intel/openvino/runtime/lib/intel64'),
    root('usr/lib/x86_64-linux-gnu'),
    root('usr/lib/aarch64-linux-gnu'),
    root('usr/lib64'),
    root('usr/lib'),
  ];

  await ctx.run('accel:libraries', undefined, async (signal) => {
    for (const [name, paths] of cache) {
      for (const [key, pattern] of LINUX_LIBRARIES) if (pattern.test(name)) addPath(info[key], paths[0] ?? name);
    }
    for (const dir of [...new Set(dirs)]) {
      if (signal.aborted) break;
      for (const file of await listDir(dir)) {
        for (const [key, pattern] of LINUX_LIBRARIES) if (pattern.test(file)) addPath(info[key], path.join(dir, file));
      }
    }
    // Toolkit directories count too: a ROCm or CUDA install is there even before ldconfig knows it.
    for (const [key, dir] of [
      ['rocm', env['ROCM_PATH'] ?? root('opt/rocm')],
      ['cuda', env['CUDA_PATH'] ?? env['CUDA_HOME'] ?? root('usr/local/cuda')],
    ] as const) {
      if (!info[key].available && (await pathExists(path.join(dir, key === 'rocm' ? 'lib' : 'lib64')))) addPath(info[key], dir);
    }
    const cudaRoot = env['CUDA_PATH'] ?? env['CUDA_HOME'] ?? root('usr/local/cuda');
    info.cuda.version ??= (await cudaVersionFile(cudaRoot, signal)) ?? versionFromSonames(info.cuda.paths, 'libcudart');
    info.cudnn.version ??= versionFromSonames(info.cudnn.paths, 'libcudnn');
    info.tensorrt.version ??= versionFromSonames(info.tensorrt.paths, 'libnvinfer');
    const rocmInfo = await readText(path.join(env['ROCM_PATH'] ?? root('opt/rocm'), '.info', 'version'), signal);
    if (info.rocm.available && rocmInfo) info.rocm.version = rocmInfo.trim().split('-')[0];
    info.openvino.version ??= versionFromSonames(info.openvino.paths, 'libopenvino');
    info.vulkan.version ??= versionFromSonames(info.vulkan.paths, 'libvulkan');
    return undefined;
  });
  for (const lib of Object.values(info)) if (lib.version === undefined) delete lib.version;
  return info;
}

function addPath(lib: LibraryInfo, file: string): void {
  lib.available = true;
  if (!lib.paths.includes(file)) lib.paths.push(file);
}

/** `version.json` (CUDA ≥ 11.1) or `version.txt` (older) of a CUDA toolkit. */
async function cudaVersionFile(cudaRoot: string, signal: AbortSignal): Promise<string | undefined> {
  const json = await readText(path.join(cudaRoot, 'version.json'), signal);
  if (json) {
    try {
      const version = (JSON.parse(json) as { cuda?: { version?: string } }).cuda?.version;
      if (version) return version.split('.').slice(0, 2).join('.');
    } catch {
      // fall through to version.txt
    }
  }
  const txt = await readText(path.join(cudaRoot, 'version.txt'), signal);
  return txt ? /(\d+\.\d+)/.exec(txt)?.[1] : undefined;
}

/** The most specific version in sonames such as `libcudart.so.12.2.140` → `12.2.140`. */
function versionFromSonames(paths: readonly string[], base: string): string | undefined {
  let best: string | undefined;
  for (const p of paths) {
    const m = new RegExp(`^${base}\\.so\\.([\\d.]+)$`).exec(path.basename(p));
    if (m?.[1] && (!best || m[1].length > best.length)) best = m[1];
  }
  return best;
}
