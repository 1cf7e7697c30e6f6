import path from 'node:path';

/** Commands the probes run. Each is `[executable, ...leading args]`; probe args are appended. */
export interface ProbeCommands {
  /** NVIDIA System Management Interface. Default `['nvidia-smi']`. */
  nvidiaSmi?: readonly string[];
  /** Dynamic-linker cache listing, Linux. Default `['/sbin/ldconfig', '-p']`. */
  ldconfig?: readonly string[];
  /** Windows adapter query printing JSON. Default: PowerShell `Get-CimInstance Win32_VideoController`. */
  windowsGpus?: readonly string[];
  /** macOS display query printing JSON. Default `['system_profiler', 'SPDisplaysDataType', '-json']`. */
  macGpus?: readonly string[];
  /** macOS CPU feature query. Default `['sysctl', 'hw.optional', 'machdep.cpu.brand_string']`. */
  macCpu?: readonly string[];
}

/** Options of {@link detectHardware}. Every field is optional; defaults live in `resolveDetectOptions`. */
export interface DetectHardwareOptions {
  /**
   * Root of the filesystem the probes read, so tests can point them at a fixture tree.
   * Default `/`.
   */
  rootDir?: string;
  /** The procfs root. Default `<rootDir>/proc`. */
  procRoot?: string;
  /** The sysfs root. Default `<rootDir>/sys`. */
  sysRoot?: string;
  /** The device-node root. Default `<rootDir>/dev`. */
  devRoot?: string;
  /** Commands the probes run (see {@link ProbeCommands}). */
  commands?: ProbeCommands;
  /** Extra directories searched for acceleration libraries, before the standard ones. */
  libraryDirs?: readonly string[];
  /** The PCI id database used to name devices. Default: the first of `<rootDir>/usr/share/{hwdata,misc}/pci.ids` that exists. */
  pciIdsPath?: string;
  /** Platform to detect for. Default `process.platform`; other values only make sense with fixtures. */
  platform?: NodeJS.Platform;
  /** Architecture to report. Default `process.arch`. */
  arch?: string;
  /** Environment read for `CUDA_PATH`, `LD_LIBRARY_PATH`, `ROCM_PATH`, … Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Budget of every single probe (file read or command) in ms. Default 5000. */
  timeoutMs?: number;
  /** Bypass the cache and probe again. Default false. */
  refresh?: boolean;
  /** Cancels detection; the returned promise then rejects with an `ABORTED` DbError. */
  signal?: AbortSignal;
}

/** Options with every default applied. */
export interface ResolvedDetectOptions {
  rootDir: string;
  procRoot: string;
  sysRoot: string;
  devRoot: string;
  commands: Required<{ [K in keyof ProbeCommands]: readonly string[] }>;
  libraryDirs: readonly string[];
  pciIdsPath: string | undefined;
  platform: NodeJS.Platform;
  arch: string;
  env: Readonly<Record<string, string | undefined>>;
  timeoutMs: number;
  signal: AbortSignal | undefined;
}

export const DEFAULT_PROBE_TIMEOUT_MS = 5_000;

export function resolveDetectOptions(options: DetectHardwareOptions = {}): ResolvedDetectOptions {
  const rootDir = options.rootDir ?? '/';
  return {
    rootDir,
    procRoot: options.procRoot ?? path.join(rootDir, 'proc'),
    sysRoot: options.sysRoot ?? path.join(rootDir, 'sys'),
    devRoot: options.devRoot ?? path.join(rootDir, 'dev'),
    commands: {
      nvidiaSmi: options.commands?.nvidiaSmi ?? ['nvidia-smi'],
      ldconfig: options.commands?.ldconfig ?? ['/sbin/ldconfig', '-p'],
      windowsGpus: options.commands?.windowsGpus ?? [
        'powershell.exe',
        '-NoProfile',
        '-NonInteractive',
        '-Command',
        'Get-CimInstance Win32_VideoController | Select-Object Name,AdapterCompatibility,AdapterRAM,DriverVersion,PNPDeviceID | ConvertTo-Json -Compress',
      ],
      macGpus: options.commands?.macGpus ?? ['system_profiler', 'SPDisplaysDataType', '-json'],
      macCpu: options.commands?.macCpu ?? ['sysctl', 'hw.optional', 'machdep.cpu.brand_string'],
    },
    libraryDirs: options.libraryDirs ?? [],
    pciIdsPath: options.pciIdsPath,
    platform: options.platform ?? process.platform,
    arch: options.arch ?? process.arch,
    env: options.env ?? process.env,
    timeoutMs: options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
    signal: options.signal,
  };
}

/** Cache key of the options that change what detection sees. */
export function detectOptionsKey(options: ResolvedDetectOptions): string {
  const { signal: _signal, env, ...rest } = options;
  const envKeys = ['CUDA_PATH', 'CUDA_HOME', 'LD_LIBRARY_PATH', 'ROCM_PATH', 'INTEL_OPENVINO_DIR', 'SystemRoot'];
  return JSON.stringify({ ...rest, env: envKeys.map((k) => env[k] ?? null) });
}
