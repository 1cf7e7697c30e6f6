import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DbError } from '@tabagent/common';
import { afterEach, describe, expect, it } from 'vitest';
import { detectHardware } from '../src/index.js';
import { fakeCommand, makeTree, writeTree } from './fixtures/fake-root.js';
import { LDCONFIG_OUTPUT, NVIDIA_SMI_CSV, workstationTree } from './fixtures/linux-workstation.js';

const roots: string[] = [];
afterEach(async () => {
  await Promise.all(roots.splice(0).map((r) => fs.rm(r, { recursive: true, force: true })));
});

async function workstation(options: { cudnn?: boolean } = {}): Promise<string> {
  const root = await makeTree(workstationTree(options));
  roots.push(root);
  return root;
}

/** Detection options for a fixture root: no host paths, no host env. */
function fixtureOptions(root: string, commands: Record<string, string[]>) {
  return { rootDir: root, platform: 'linux' as const, arch: 'x64', env: {}, commands, refresh: true };
}

describe('detectHardware on a fixture Linux workstation', () => {
  it('reports CPU, memory limits, GPUs, NPU and CUDA, and recommends cuda then cpu', async () => {
    const root = await workstation();
    const argsFile = path.join(root, 'nvidia-smi.args.json');
    const info = await detectHardware(
      fixtureOptions(root, {
        nvidiaSmi: await fakeCommand(root, 'nvidia-smi', { stdout: NVIDIA_SMI_CSV, argsFile }),
        ldconfig: await fakeCommand(root, 'ldconfig', { stdout: LDCONFIG_OUTPUT }),
      }),
    );

    expect(info.cpu).toMatchObject({ vendor: 'GenuineIntel', logicalCores: 8, physicalCores: 4, quota: 2 });
    expect(info.cpu.simd).toContain('avx512_vnni');
    expect(info.memory.totalBytes).toBe(32768000 * 1024);
    expect(info.memory.limitBytes).toBe(8589934592);
    expect(info.memory.availableBytes).toBe(8589934592);

    const args = JSON.parse(await fs.readFile(argsFile, 'utf8')) as string[];
    expect(args).toContain('--format=csv,noheader,nounits');
    expect(args.find((a) => a.startsWith('--query-gpu='))).toContain('memory.total');

    // NVIDIA board: one entry, merged from nvidia-smi and sysfs.
    const nvidia = info.gpus.filter((g) => g.vendor === 'nvidia');
    expect(nvidia).toHaveLength(1);
    expect(nvidia[0]).toMatchObject({
      name: 'NVIDIA GeForce RTX 4090',
      memoryTotalBytes: 24564 * 1024 * 1024,
      computeCapability: '8.9',
      pciAddress: '0000:01:00.0',
      deviceId: '2684',
    });
    expect(nvidia[0]?.sources.sort()).toEqual(['nvidia-smi', 'sysfs']);
    // Intel iGPU seen both as PCI device and DRM card0: listed once, named from pci.ids.
    const intel = info.gpus.filter((g) => g.vendor === 'intel');
    expect(intel).toHaveLength(1);
    expect(intel[0]).toMatchObject({ kind: 'integrated', driver: 'i915', name: 'TigerLake-LP GT2 [Iris Xe Graphics]' });
    const amd = info.gpus.find((g) => g.vendor === 'amd');
    expect(amd).toMatchObject({ kind: 'discrete', memoryTotalBytes: 17163091968, driver: 'amdgpu' });
    expect(info.gpus).toHaveLength(3);
    expect(info.gpus.at(-1)?.kind).toBe('integrated');

    expect(info.npus).toEqual([
      expect.objectContaining({ vendor: 'intel', driver: 'intel_vpu', driverLoaded: true, devicePath: path.join(root, 'dev', 'accel', 'accel0') }),
    ]);

    expect(info.acceleration.cuda.available).toBe(true);
    expect(info.acceleration.cuda.version).toBe('12.4');
    expect(info.acceleration.cudnn).toMatchObject({ available: true, version: '9.1.0' });
    expect(info.acceleration.vulkan.available).toBe(true);
    expect(info.acceleration.rocm.available).toBe(false);

    expect(info.recommendation.executionProviders).toEqual(['cuda', 'cpu']);
    // 4 physical cores, but the cgroup grants 2 CPUs (and the host may have fewer).
    expect(info.recommendation.intraOpNumThreads).toBe(Math.min(2, os.availableParallelism()));
    expect(info.probes.every((p) => p.status === 'ok')).toBe(true);
  });

  it('does not recommend cuda when cuDNN is missing, and says why', async () => {
    const root = await workstation({ cudnn: false });
    const info = await detectHardware(
      fixtureOptions(root, {
        nvidiaSmi: await fakeCommand(root, 'nvidia-smi', { stdout: NVIDIA_SMI_CSV }),
        ldconfig: await fakeCommand(root, 'ldconfig', { stdout: '' }),
      }),
    );
    expect(info.acceleration.cudnn.available).toBe(false);
    expect(info.recommendation.executionProviders).toEqual(['cpu']);
    expect(info.recommendation.reasons.join(' ')).toMatch(/cuDNN missing/);
  });

  it('retries nvidia-smi without compute_cap for drivers that do not know the field', async () => {
    const root = await workstation();
    const info = await detectHardware(
      fixtureOptions(root, {
        nvidiaSmi: await fakeCommand(root, 'nvidia-smi', {
          stdout: NVIDIA_SMI_CSV.replace(', 8.9\n', '\n'),
          failIfArgIncludes: 'compute_cap',
          failMessage: 'Field "compute_cap" is not a valid field to query.',
        }),
        ldconfig: await fakeCommand(root, 'ldconfig', { stdout: '' }),
      }),
    );
    const nvidia = info.gpus.find((g) => g.vendor === 'nvidia');
    expect(nvidia?.name).toBe('NVIDIA GeForce RTX 4090');
    expect(nvidia?.computeCapability).toBeUndefined();
    expect(info.probes.find((p) => p.name === 'gpu:nvidia-smi')?.status).toBe('ok');
  });

  it('reports a failing nvidia-smi as failed and still finds the board through sysfs', async () => {
    const root = await workstation();
    const info = await detectHardware(
      fixtureOptions(root, {
        nvidiaSmi: await fakeCommand(root, 'nvidia-smi', {
          stdout: "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n",
          exitCode: 9,
        }),
        ldconfig: await fakeCommand(root, 'ldconfig', { stdout: '' }),
      }),
    );
    const probe = info.probes.find((p) => p.name === 'gpu:nvidia-smi');
    expect(probe?.status).toBe('failed');
    expect(probe?.error).toMatch(/couldn't communicate/);
    const nvidia = info.gpus.find((g) => g.vendor === 'nvidia');
    expect(nvidia).toMatchObject({ sources: ['sysfs'], name: 'AD102 [GeForce RTX 4090]' });
    expect(nvidia?.memoryTotalBytes).toBeUndefined();
  });

  it('gives up on a hanging probe at the timeout, kills it, and reports it as timeout', async () => {
    const root = await workstation();
    const pidFile = path.join(root, 'hang.pid');
    const info = await detectHardware({
      ...fixtureOptions(root, {
        nvidiaSmi: await fakeCommand(root, 'nvidia-smi', { stdout: NVIDIA_SMI_CSV, sleepMs: 60_000, pidFile }),
        ldconfig: await fakeCommand(root, 'ldconfig', { stdout: '' }),
      }),
      timeoutMs: 1_000,
    });
    expect(info.probes.find((p) => p.name === 'gpu:nvidia-smi')?.status).toBe('timeout');
    // Everything else was still detected.
    expect(info.cpu.logicalCores).toBe(8);
    expect(info.gpus.find((g) => g.vendor === 'nvidia')?.sources).toEqual(['sysfs']);
    // The hung child must not outlive the probe.
    const pid = Number(await fs.readFile(pidFile, 'utf8'));
    await expect.poll(() => isAlive(pid), { timeout: 5_000 }).toBe(false);
  });

  it('never throws on an empty root: falls back to node:os and reports not-found probes', async () => {
    const root = await makeTree({});
    roots.push(root);
    const info = await detectHardware(
      fixtureOptions(root, {
        nvidiaSmi: [path.join(root, 'no-such-nvidia-smi')],
        ldconfig: [path.join(root, 'no-such-ldconfig')],
      }),
    );
    expect(info.cpu.logicalCores).toBe(os.cpus().length || os.availableParallelism());
    expect(info.memory.totalBytes).toBe(os.totalmem());
    expect(info.gpus).toEqual([]);
    expect(info.npus).toEqual([]);
    expect(info.acceleration.cuda.available).toBe(false);
    expect(info.recommendation.executionProviders).toEqual(['cpu']);
    const byName = Object.fromEntries(info.probes.map((p) => [p.name, p.status]));
    expect(byName['cpu:/proc/cpuinfo']).toBe('not-found');
    expect(byName['gpu:nvidia-smi']).toBe('not-found');
    expect(byName['accel:ldconfig']).toBe('not-found');
  });
});

describe('detectHardware on other platforms (fixture commands)', () => {
  it('Windows: GPUs from WMI, DirectML from System32 → dml then cpu', async () => {
    const root = await makeTree({ 'Windows/System32/DirectML.dll': '' });
    roots.push(root);
    const wmi = JSON.stringify({ Name: 'AMD Radeon RX 7800 XT', AdapterCompatibility: 'Advanced Micro Devices, Inc.', AdapterRAM: 4293918720, PNPDeviceID: 'PCI\\VEN_1002&DEV_747E&SUBSYS_0E3B1043&REV_C8\\6&1' });
    const info = await detectHardware({
      platform: 'win32',
      arch: 'x64',
      env: { SystemRoot: path.join(root, 'Windows') },
      refresh: true,
      commands: {
        nvidiaSmi: [path.join(root, 'nvidia-smi.exe')],
        windowsGpus: await fakeCommand(root, 'wmi', { stdout: wmi }),
      },
    });
    expect(info.gpus).toEqual([expect.objectContaining({ vendor: 'amd', deviceId: '747e', name: 'AMD Radeon RX 7800 XT', sources: ['wmi'] })]);
    expect(info.acceleration.directml.available).toBe(true);
    expect(info.recommendation.executionProviders).toEqual(['dml', 'cpu']);
  });

  it('macOS on Apple silicon: sysctl flags, Neural Engine, Core ML → coreml then cpu', async () => {
    const root = await makeTree({ 'System/Library/Frameworks/CoreML.framework/CoreML': '' });
    roots.push(root);
    const profiler = JSON.stringify({ SPDisplaysDataType: [{ _name: 'Apple M3', sppci_model: 'Apple M3', sppci_bus: 'spdisplays_builtin', spdisplays_vendor: 'sppci_vendor_Apple' }] });
    const sysctl = 'hw.optional.arm.FEAT_DotProd: 1\nhw.optional.arm.FEAT_I8MM: 1\nhw.optional.arm.FEAT_BF16: 0\nhw.optional.neon: 1\nmachdep.cpu.brand_string: Apple M3\n';
    const info = await detectHardware({
      platform: 'darwin',
      arch: 'arm64',
      rootDir: root,
      env: {},
      refresh: true,
      commands: {
        nvidiaSmi: [path.join(root, 'nvidia-smi')],
        macGpus: await fakeCommand(root, 'system_profiler', { stdout: profiler }),
        macCpu: await fakeCommand(root, 'sysctl', { stdout: sysctl }),
      },
    });
    expect(info.cpu.model).toBe('Apple M3');
    expect(info.cpu.simd).toEqual(['neon', 'dotprod', 'i8mm']);
    expect(info.gpus).toEqual([expect.objectContaining({ vendor: 'apple', kind: 'integrated', name: 'Apple M3' })]);
    expect(info.npus).toEqual([expect.objectContaining({ vendor: 'apple', name: 'Apple Neural Engine' })]);
    expect(info.recommendation.executionProviders).toEqual(['coreml', 'cpu']);
  });
});

describe('detectHardware caching and cancellation', () => {
  it('returns the cached result for the same options until refresh is asked', async () => {
    const root = await workstation();
    const commands = { ldconfig: await fakeCommand(root, 'ldconfig', { stdout: '' }), nvidiaSmi: [path.join(root, 'none')] };
    const base = { rootDir: root, platform: 'linux' as const, env: {}, commands };
    const first = await detectHardware(base);
    const second = await detectHardware(base);
    expect(second).toBe(first);
    // A device appears (driver installed): only a refresh sees it.
    await writeTree(root, {
      'sys/bus/pci/devices/0000:05:00.0/vendor': '0x1002\n',
      'sys/bus/pci/devices/0000:05:00.0/device': '0x744c\n',
      'sys/bus/pci/devices/0000:05:00.0/class': '0x030000\n',
    });
    expect((await detectHardware(base)).gpus).toHaveLength(first.gpus.length);
    const refreshed = await detectHardware({ ...base, refresh: true });
    expect(refreshed).not.toBe(first);
    expect(refreshed.gpus).toHaveLength(first.gpus.length + 1);
  });

  it('rejects with ABORTED when the signal is already aborted', async () => {
    const err = await detectHardware({ signal: AbortSignal.abort(), refresh: true }).catch((e: unknown) => e);
    expect(DbError.is(err, 'ABORTED')).toBe(true);
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
