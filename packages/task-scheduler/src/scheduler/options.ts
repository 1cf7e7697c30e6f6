import { DbError } from '@tabagent/common';
import { assertActivityLevel, type ActivityLevel } from '../activity/activity-level.js';
import type { Clock } from '../clock/clock.js';
import { systemClock } from '../clock/system-clock.js';
import { resolvePolicy, type SchedulingPolicy, type SchedulingPolicyOverrides } from '../policy/scheduling-policy.js';
import type { BackoffOptions } from '../retry/backoff.js';
import { assertFiniteNumber, assertInteger, assertKnownKeys, assertObject } from '../validation/assert.js';

export interface TaskSchedulerOptions {
  /**
   * Per-level overrides of the policy table (which priorities may start, how many tasks
   * run at once), merged over `DEFAULT_POLICY`.
   */
  policy?: SchedulingPolicyOverrides;
  /**
   * Extra slots beyond a level's concurrency that only urgent tasks may use (default 1),
   * so a user-facing task never waits for background work to finish.
   */
  urgentReserve?: number;
  /** Activity level at construction (default `low`: not chatting yet, not asleep either). */
  initialLevel?: ActivityLevel;
  /** Idle time after which `high` decays to `low`, in ms (default 5 minutes). */
  lowAfterMs?: number;
  /** Idle time after which the level decays to `sleep`, in ms (default 30 minutes). */
  sleepAfterMs?: number;
  /** Whether the level decays by itself with idle time (default true). */
  autoDecay?: boolean;
  /**
   * When normal and low tasks are both waiting and both may start, at most this many
   * normal tasks start in a row before a low one does (default 3). Keeps a steady stream
   * of normal work from starving low work while the user is idle.
   */
  maxNormalBurst?: number;
  /** Retries for submissions that do not say (default 0). */
  defaultRetries?: number;
  /** Per-run time limit for submissions that do not say, in ms (default none). */
  defaultTimeoutMs?: number;
  /** Whether submissions are preemptible unless they say otherwise (default false). */
  defaultPreemptible?: boolean;
  /** Retry backoff (defaults: base 200 ms, max 60 s, factor 2, jitter 0.5). */
  backoff?: Partial<BackoffOptions>;
  /**
   * Longest stretch, in ms, the scheduler keeps starting tasks back to back before it
   * yields to the event loop (default 2). Tasks that finish synchronously would otherwise
   * chain through microtasks and hold off timers and I/O — including the event that
   * carries the user's next urgent request.
   */
  turnBudgetMs?: number;
  /** Recent samples kept for the wait/run time percentiles (default 1,024). */
  statsWindow?: number;
  /** Time source (default `systemClock`); tests pass a manual clock. */
  clock?: Clock;
  /** Random numbers in [0, 1) for backoff jitter (default `Math.random`). */
  random?: () => number;
}

export interface ResolvedTaskSchedulerOptions {
  readonly policy: SchedulingPolicy;
  readonly urgentReserve: number;
  readonly initialLevel: ActivityLevel;
  readonly lowAfterMs: number;
  readonly sleepAfterMs: number;
  readonly autoDecay: boolean;
  readonly maxNormalBurst: number;
  readonly defaultRetries: number;
  readonly defaultTimeoutMs: number | undefined;
  readonly defaultPreemptible: boolean;
  readonly backoff: BackoffOptions;
  readonly turnBudgetMs: number;
  readonly statsWindow: number;
  readonly clock: Clock;
  readonly random: () => number;
}

const OPTION_KEYS = [
  'policy',
  'urgentReserve',
  'initialLevel',
  'lowAfterMs',
  'sleepAfterMs',
  'autoDecay',
  'maxNormalBurst',
  'defaultRetries',
  'defaultTimeoutMs',
  'defaultPreemptible',
  'backoff',
  'turnBudgetMs',
  'statsWindow',
  'clock',
  'random',
] as const;

/** All defaults live here. */
export function resolveTaskSchedulerOptions(options: TaskSchedulerOptions = {}): ResolvedTaskSchedulerOptions {
  // Validated through `unknown` copies so the typed views keep their types.
  const input: unknown = options;
  assertObject(input, 'options');
  assertKnownKeys(input, OPTION_KEYS, 'option');
  const backoffInput = options.backoff ?? {};
  const rawBackoff: unknown = backoffInput;
  assertObject(rawBackoff, 'backoff');
  assertKnownKeys(rawBackoff, ['baseMs', 'maxMs', 'factor', 'jitter'], 'backoff');
  const backoff: BackoffOptions = {
    baseMs: backoffInput.baseMs ?? 200,
    maxMs: backoffInput.maxMs ?? 60_000,
    factor: backoffInput.factor ?? 2,
    jitter: backoffInput.jitter ?? 0.5,
  };
  const resolved: ResolvedTaskSchedulerOptions = {
    policy: resolvePolicy(options.policy ?? {}),
    urgentReserve: options.urgentReserve ?? 1,
    initialLevel: options.initialLevel ?? 'low',
    lowAfterMs: options.lowAfterMs ?? 5 * 60_000,
    sleepAfterMs: options.sleepAfterMs ?? 30 * 60_000,
    autoDecay: options.autoDecay ?? true,
    maxNormalBurst: options.maxNormalBurst ?? 3,
    defaultRetries: options.defaultRetries ?? 0,
    defaultTimeoutMs: options.defaultTimeoutMs,
    defaultPreemptible: options.defaultPreemptible ?? false,
    backoff,
    turnBudgetMs: options.turnBudgetMs ?? 2,
    statsWindow: options.statsWindow ?? 1024,
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
  };

  assertInteger(resolved.urgentReserve, 'urgentReserve', 0);
  assertActivityLevel(resolved.initialLevel, 'initialLevel');
  assertFiniteNumber(resolved.lowAfterMs, 'lowAfterMs', 0, true);
  assertFiniteNumber(resolved.sleepAfterMs, 'sleepAfterMs', 0, true);
  if (resolved.sleepAfterMs < resolved.lowAfterMs) {
    throw new DbError('INVALID_ARGUMENT', 'sleepAfterMs must be ≥ lowAfterMs', { details: { field: 'sleepAfterMs' } });
  }
  assertBoolean(resolved.autoDecay, 'autoDecay');
  assertInteger(resolved.maxNormalBurst, 'maxNormalBurst', 1);
  assertInteger(resolved.defaultRetries, 'defaultRetries', 0);
  if (resolved.defaultTimeoutMs !== undefined) assertFiniteNumber(resolved.defaultTimeoutMs, 'defaultTimeoutMs', 0, true);
  assertBoolean(resolved.defaultPreemptible, 'defaultPreemptible');
  assertFiniteNumber(backoff.baseMs, 'backoff.baseMs', 0);
  assertFiniteNumber(backoff.maxMs, 'backoff.maxMs', 0);
  assertFiniteNumber(backoff.factor, 'backoff.factor', 1);
  assertFiniteNumber(backoff.jitter, 'backoff.jitter', 0);
  if (backoff.jitter > 1) {
    throw new DbError('INVALID_ARGUMENT', 'backoff.jitter must be between 0 and 1', { details: { field: 'backoff.jitter' } });
  }
  assertFiniteNumber(resolved.turnBudgetMs, 'turnBudgetMs', 0, true);
  assertInteger(resolved.statsWindow, 'statsWindow', 1);
  const clock = resolved.clock as Partial<Clock>;
  if (typeof clock.now !== 'function' || typeof clock.setTimer !== 'function') {
    throw new DbError('INVALID_ARGUMENT', 'clock must have now() and setTimer()', { details: { field: 'clock' } });
  }
  if (typeof resolved.random !== 'function') {
    throw new DbError('INVALID_ARGUMENT', 'random must be a function', { details: { field: 'random' } });
  }
  return Object.freeze(resolved);
}

function assertBoolean(value: unknown, field: string): void {
  if (typeof value !== 'boolean') {
    throw new DbError('INVALID_ARGUMENT', `${field} must be a boolean`, { details: { field } });
  }
}
