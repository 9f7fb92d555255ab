/** A session's timers, kept so that ending the session (DELETE, server close) cancels what it still had to say. */
export function later(session: { timers: Set<NodeJS.Timeout> }, ms: number, run: () => void): void {
  const t = setTimeout(() => {
    session.timers.delete(t);
    run();
  }, ms);
  session.timers.add(t);
}
