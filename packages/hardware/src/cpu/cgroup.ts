import path from 'node:path';
import { readAttr, readText } from '../probe/fs-read.js';

/** Resource limits a cgroup (v2 or v1) places on this process; undefined fields mean "no limit". */
export interface CgroupLimits {
  /** CPUs worth of quota, e.g. 1.5. */
  cpuQuota?: number;
  memoryLimitBytes?: number;
}

// cgroup v1 reports "unlimited" as a huge page-aligned number rather than a keyword.
const V1_UNLIMITED = 2 ** 60;

/**
 * Reads the CPU quota and memory limit of the process's own cgroup. Containers are
 * the common case: `os.cpus()` shows the host's CPUs, the quota shows what we may use.
 */
export async function readCgroupLimits(procRoot: string, sysRoot: string, signal?: AbortSignal): Promise<CgroupLimits> {
  const membership = parseProcCgroup(await readText(path.join(procRoot, 'self', 'cgroup'), signal));
  const root = path.join(sysRoot, 'fs', 'cgroup');
  const limits: CgroupLimits = {};

  const v2 = membership.get('');
  if (v2 !== undefined) {
    for (const dir of candidateDirs(root, v2)) {
      const cpuMax = await readAttr(path.join(dir, 'cpu.max'), signal);
      if (limits.cpuQuota === undefined && cpuMax) {
        const [quota, period] = cpuMax.split(/\s+/);
        if (quota && quota !== 'max' && Number(period) > 0) limits.cpuQuota = Number(quota) / Number(period);
      }
      const memMax = await readAttr(path.join(dir, 'memory.max'), signal);
      if (limits.memoryLimitBytes === undefined && memMax && memMax !== 'max' && Number(memMax) > 0) {
        limits.memoryLimitBytes = Number(memMax);
      }
    }
  }

  const cpuV1 = membership.get('cpu') ?? membership.get('cpu,cpuacct') ?? membership.get('cpuacct,cpu');
  if (limits.cpuQuota === undefined && cpuV1 !== undefined) {
    for (const base of [path.join(root, 'cpu'), path.join(root, 'cpu,cpuacct')]) {
      for (const dir of candidateDirs(base, cpuV1)) {
        const quota = Number(await readAttr(path.join(dir, 'cpu.cfs_quota_us'), signal));
        const period = Number(await readAttr(path.join(dir, 'cpu.cfs_period_us'), signal));
        if (quota > 0 && period > 0) {
          limits.cpuQuota = quota / period;
          break;
        }
      }
    }
  }
  const memV1 = membership.get('memory');
  if (limits.memoryLimitBytes === undefined && memV1 !== undefined) {
    for (const dir of candidateDirs(path.join(root, 'memory'), memV1)) {
      const limit = Number(await readAttr(path.join(dir, 'memory.limit_in_bytes'), signal));
      if (limit > 0 && limit < V1_UNLIMITED) {
        limits.memoryLimitBytes = limit;
        break;
      }
    }
  }
  return limits;
}

/** `/proc/self/cgroup` lines `id:controllers:path` → controllers → path (v2 has controllers ""). */
export function parseProcCgroup(text: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of (text ?? '').split('\n')) {
    const parts = line.split(':');
    if (parts.length < 3) continue;
    const controllers = parts[1] ?? '';
    const cgroupPath = parts.slice(2).join(':');
    for (const c of controllers === '' ? [''] : controllers.split(',')) out.set(c, cgroupPath);
    if (controllers.includes(',')) out.set(controllers, cgroupPath);
  }
  return out;
}

/** The process's own cgroup directory first, then the mount root (namespaced containers see "/"). */
function candidateDirs(base: string, cgroupPath: string): string[] {
  const own = path.join(base, cgroupPath);
  return own === base ? [base] : [own, base];
}
