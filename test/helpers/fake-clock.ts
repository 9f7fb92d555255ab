import type { EngineDeps } from '../../src/core/engine.js';

/** A clock that moves only when told; timers fire in order as it passes them. */
export function fakeClock(start = 1_000_000) {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const deps: Partial<EngineDeps> = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = nextId++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (id) => void timers.delete(id as number),
  };
  async function advance(ms: number): Promise<void> {
    const target = now + ms;
    for (;;) {
      await new Promise((r) => setImmediate(r));
      const due = [...timers.entries()].filter(([, t]) => t.at <= target).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      timers.delete(due[0]);
      now = due[1].at;
      due[1].fn();
    }
    now = target;
    await new Promise((r) => setImmediate(r));
  }
  return { deps, advance, pending: () => timers.size };
}

