import { expect, it } from 'vitest';
import { DbError } from '@tabagent/common';

/** What the lifecycle contract asks of every component. */
export interface LifecycleSubject {
  readonly status: string;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** One component under the trait: how to get an open one, and a call that needs it open. */
export interface LifecycleCase<T extends LifecycleSubject> {
  name: string;
  open(): Promise<T>;
  use(subject: T): unknown;
}

async function codeOf(call: () => unknown): Promise<string> {
  try {
    await call();
  } catch (err) {
    if (DbError.is(err)) return err.code;
    throw err;
  }
  return 'no error';
}

/**
 * The lifecycle contract as a trait (abstract-level's `test/traits/closed.js` is the
 * model): status `open` after opening; idempotent close; a close that races another
 * resolves only once the component is closed; `NOT_OPEN` after close; `await using`.
 */
export function lifecycleTrait<T extends LifecycleSubject>(subject: LifecycleCase<T>): void {
  it(`${subject.name}: is open, works, closes idempotently, then fails with NOT_OPEN`, async () => {
    const component = await subject.open();
    expect(component.status).toBe('open');
    expect(await codeOf(() => subject.use(component))).toBe('no error');
    const first = component.close();
    const second = component.close();
    await second;
    // The second close did not return before the first finished.
    expect(component.status).toBe('closed');
    await first;
    await component.close();
    expect(component.status).toBe('closed');
    expect(await codeOf(() => subject.use(component))).toBe('NOT_OPEN');
  });

  it(`${subject.name}: closes on await using`, async () => {
    let held: T | undefined;
    {
      await using component = await subject.open();
      held = component;
      expect(component.status).toBe('open');
    }
    expect(held.status).toBe('closed');
  });
}
