/** One stage of an executed plan. */
export interface ExplainStage {
  /** `embed`, `estimate`, `candidates`, `intersect`, `filter`, `keyword`, `semantic`, `fuse`, `order`, `fetch`. */
  name: string;
  /** What the stage did, e.g. `graph in MENTIONS from ent_… depth 1`. */
  detail: string;
  /** Candidates entering the stage, when it narrows a set. */
  input?: number;
  /** Candidates (or hits) leaving the stage. */
  output?: number;
  /** Wall time of the stage in milliseconds. */
  ms: number;
}

/** Why the engine answered the way it did. */
export interface QueryExplain {
  /** The chosen plan in words, one step per line. */
  plan: string[];
  /** What produced the candidates: a named index constraint, `keyword`, `vector` (unconstrained) or `scan`. */
  driver: string;
  /** How results were ranked. */
  ranking: 'none' | 'keyword' | 'exact' | 'hnsw' | 'hybrid';
  /** How the semantic part ran, when there is one. */
  vectorMode?: 'exact' | 'hnsw';
  /** Estimated matches of each constraint considered by the planner. */
  estimates: { constraint: string; count: number; exact: boolean }[];
  stages: ExplainStage[];
  totalMs: number;
}

/** Collects stages with their timings while a query runs. */
export class ExplainRecorder {
  /** True when each hit should say why it matched (costs a little per hit). */
  readonly perHit: boolean;
  readonly stages: ExplainStage[] = [];
  readonly plan: string[] = [];
  readonly estimates: QueryExplain['estimates'] = [];
  readonly #started = performance.now();
  #mark = this.#started;

  constructor(perHit = false) {
    this.perHit = perHit;
  }

  /** Records a stage that ended now (it started at the previous mark). */
  stage(name: string, detail: string, counts: { input?: number; output?: number } = {}): void {
    const now = performance.now();
    this.stages.push({ name, detail, ...counts, ms: round(now - this.#mark) });
    this.#mark = now;
  }

  finish(driver: string, ranking: QueryExplain['ranking'], vectorMode: QueryExplain['vectorMode']): QueryExplain {
    const explain: QueryExplain = {
      plan: this.plan,
      driver,
      ranking,
      estimates: this.estimates,
      stages: this.stages,
      totalMs: round(performance.now() - this.#started),
    };
    if (vectorMode !== undefined) explain.vectorMode = vectorMode;
    return explain;
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
