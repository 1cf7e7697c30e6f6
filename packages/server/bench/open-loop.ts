import { Pool } from 'undici';

/** One request of a constant-rate run. */
export interface OpenLoopRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

export interface OpenLoopResult {
  /** Latency of each answered request, from the moment it was sent (ms, sorted). */
  latencies: Float64Array;
  /** The same, from the moment it was due by the schedule (includes the generator's own timer lateness). */
  fromSchedule: Float64Array;
  /** Requests per second actually sent. */
  achievedRate: number;
  errors: number;
}

/**
 * Open-loop (constant-rate) load, as wrk2 does it: request `i` is due at
 * `start + i / rate` whether or not earlier requests have been answered, so a slow
 * server makes requests queue and its tail latency shows (a closed-loop generator
 * would simply send less). Requests go over a keep-alive undici `Pool`.
 *
 * autocannon's `overallRate` sends each second's quota as fast as it can at the start
 * of the second, and loadtest records whole milliseconds, so neither measures a
 * sub-millisecond p99 at a constant 1,000 req/s; they are used for what they do well
 * (autocannon: the maximum rate).
 */
export async function openLoop(origin: string, options: { rate: number; seconds: number; connections?: number; next: () => OpenLoopRequest }): Promise<OpenLoopResult> {
  const pool = new Pool(origin, { connections: options.connections ?? 64, pipelining: 1, keepAliveTimeout: 60_000 });
  const total = Math.round(options.rate * options.seconds);
  const interval = 1_000 / options.rate;
  const latencies = new Float64Array(total);
  const fromSchedule = new Float64Array(total);
  let answered = 0;
  let errors = 0;
  let sent = 0;
  const start = performance.now() + 20;
  let lastSentAt = start;
  try {
    await new Promise<void>((resolve) => {
      const settle = (): void => {
        if (answered + errors === total) resolve();
      };
      const fire = (due: number): void => {
        const request = options.next();
        const sentAt = performance.now();
        lastSentAt = sentAt;
        pool
          .request({
            method: request.method,
            path: request.path,
            ...(request.body === undefined ? {} : { body: request.body, headers: { 'content-type': 'application/json' } }),
          })
          .then(async (res) => {
            await res.body.dump();
            const end = performance.now();
            if (res.statusCode >= 400) errors++;
            else {
              latencies[answered] = end - sentAt;
              fromSchedule[answered] = end - due;
              answered++;
            }
            settle();
          })
          .catch(() => {
            errors++;
            settle();
          });
      };
      const tick = (): void => {
        const now = performance.now();
        while (sent < total && start + sent * interval <= now) fire(start + sent++ * interval);
        if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
      };
      setTimeout(tick, Math.max(0, start - performance.now()));
    });
  } finally {
    await pool.close();
  }
  const sortedLatencies = latencies.subarray(0, answered).sort();
  const sortedSchedule = fromSchedule.subarray(0, answered).sort();
  return { latencies: sortedLatencies, fromSchedule: sortedSchedule, achievedRate: total / ((lastSentAt - start) / 1_000 + interval / 1_000), errors };
}
