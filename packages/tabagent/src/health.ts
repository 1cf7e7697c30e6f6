import type { VectorIndexStats } from '@tabagent/indexing';
import type { MlBridgeInfo, MlHealth } from '@tabagent/ml-bridge';
import type { ActivityLevel, TaskScheduler } from '@tabagent/task-scheduler';
import type { WeaverStats } from '@tabagent/weaver';

/**
 * What {@link TabAgent.health} reports: every component's state, readable in any
 * database status (a closed database still says what it can).
 */
export interface TabAgentHealth {
  status: 'opening' | 'open' | 'closing' | 'closed';
  /** `lastSeq` is absent once storage is closed. */
  /** `warnings`: what storage found and repaired while opening or running (data loss, interrupted rebuilds, a full disk). */
  storage: { status: string; lastSeq?: number; warnings?: { code: string; message: string }[] };
  vectors: VectorIndexStats;
  scheduler: ReturnType<TaskScheduler['stats']> & { activityLevel: ActivityLevel };
  /** The provider's answer to a health check (`ok: false` with a `detail` when it did not answer in time). */
  ml: Omit<MlBridgeInfo, 'provider'> & { provider: string; status: string; ok: boolean; detail?: string };
  /** `stats` is absent without a weaver (opened with `weaver: false`). */
  weaver: { enabled: boolean; stats?: WeaverStats };
}

/** Options of {@link TabAgent.health}. */
export interface HealthOptions {
  /** How long to wait for the ML provider's health check (default 1000 ms). */
  mlTimeoutMs?: number;
}

/** The ML provider's health check, given up on after `timeoutMs`. Never throws. */
export async function mlHealthWithin(health: () => Promise<MlHealth>, status: string, timeoutMs: number): Promise<{ ok: boolean; status: string; detail?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ ok: boolean; status: string; detail?: string }>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, status, detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
  });
  try {
    const answer = await Promise.race([health().catch((err: unknown) => ({ ok: false, status, detail: (err as Error).message })), timeout]);
    return answer.detail === undefined ? { ok: answer.ok, status: answer.status } : { ok: answer.ok, status: answer.status, detail: answer.detail };
  } finally {
    clearTimeout(timer);
  }
}
