/**
 * The sandbox's timers (refund delays, notification retries) and the work they start. Timers are
 * unref'd: a program that forgets `emulator.close()` still exits when it is otherwise done.
 * While someone awaits {@link Scheduler.idle} they are ref'd, so that wait is not cut short by an
 * empty event loop. `close()` clears them and aborts the work under way.
 * @module
 */

/**
 * Timers and tracked work of one sandbox.
 * @example
 * ```ts
 * const scheduler = new Scheduler();
 * scheduler.after(15, () => deliver(notification));
 * await scheduler.idle();
 * ```
 */
export class Scheduler {
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #work = new Set<Promise<unknown>>();
  #waiters: Array<() => void> = [];
  #closed = false;
  /** Aborted by {@link close}: work under way listens to it. */
  readonly #abort = new AbortController();

  /** Aborted when the sandbox closes. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** Whether {@link close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Runs `task` after `ms` milliseconds (tracked until its promise settles).
   * @example
   * ```ts
   * scheduler.after(10_000, () => settleRefund(refund));
   * ```
   */
  after(ms: number, task: () => unknown): void {
    if (this.#closed) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.run(task);
    }, ms);
    if (this.#waiters.length === 0) timer.unref();
    this.#timers.add(timer);
  }

  /**
   * Runs `task` now, tracked until its promise settles (errors are the task's to handle).
   * @example
   * ```ts
   * scheduler.run(() => deliver(notification));
   * ```
   */
  run(task: () => unknown): void {
    if (this.#closed) return;
    let result: unknown;
    try {
      result = task();
    } catch {
      result = undefined;
    }
    if (result instanceof Promise) {
      const tracked = result.then(
        () => undefined,
        () => undefined,
      );
      this.#work.add(tracked);
      void tracked.then(() => {
        this.#work.delete(tracked);
        this.#check();
      });
    } else {
      this.#check();
    }
  }

  /**
   * Resolves once no timer is pending and no work is under way (at once when there is none).
   * @example
   * ```ts
   * emulator.pay('T1');
   * await emulator.sandbox!.idle(); // the notification was delivered (or given up on)
   * ```
   */
  idle(): Promise<void> {
    if (this.#quiet()) return Promise.resolve();
    if (this.#waiters.length === 0) for (const timer of this.#timers) timer.ref();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Clears every timer, aborts the work under way and releases every {@link idle} waiter. */
  close(): void {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#abort.abort(new Error('the sandbox was closed'));
    this.#release();
  }

  #quiet(): boolean {
    return this.#timers.size === 0 && this.#work.size === 0;
  }

  #check(): void {
    if (this.#quiet() || this.#closed) this.#release();
  }

  #release(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const timer of this.#timers) timer.unref();
    for (const resolve of waiters) resolve();
  }
}
