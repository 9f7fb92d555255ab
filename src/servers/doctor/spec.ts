/** One misbehaving stream of the doctor's catalog, as data: where it is, what it does, what the doctor must say. */
import type { StreamScript } from './script.js';

export interface DoctorStreamSpec {
  /** Served at /doctor/<name>. */
  name: string;
  /** What it does wrong, in a line (the help text, the README's table). */
  does: string;
  /** The finding codes the doctor reports on it (docs/doctor.md); nothing above info besides these. */
  codes: readonly string[];
  /** A POST stream (an LLM answer) is asked for with this body; GET otherwise. */
  post?: Record<string, unknown>;
  /** Reconnects a client must make before the finding can show (the Last-Event-ID findings need one). */
  reconnects?: 1;
  /**
   * The longest a check must watch it (`doctor --duration`): a stream that ends by itself ends well
   * within it (a guard for a loaded machine, no wait when it is not); one that stays open has shown
   * its findings by then.
   */
  watchMs: number;
  script: StreamScript;
}
