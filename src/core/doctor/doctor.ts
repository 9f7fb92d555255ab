/**
 * Every check of the stream doctor, run together over one connection: the Health summary the
 * panel's badge, the Health view, the viewer and `sse-devtools doctor` read. Each check module adds
 * one line to CHECKS.
 */
import type { TimelineEntry } from '../timeline.js';
import { bufferingCheck } from './buffering.js';
import { framingCheck } from './framing.js';
import { heartbeatCheck } from './heartbeat.js';
import { idleCutCheck } from './idle-cut.js';
import { noResponseCheck } from './no-response.js';
import type { ObservedOrigin } from '../observe/observed-stream.js';
import { DOCTOR_SEVERITIES, type DoctorCheck, type DoctorContext, type DoctorFinding, type DoctorSeverity } from './check.js';
import { compressionCheck } from './compression.js';
import { headersCheck } from './headers.js';
import { lensCheck } from './lens.js';
import { resumabilityCheck } from './resumability.js';

const CHECKS: readonly DoctorCheck[] = [
  heartbeatCheck,
  idleCutCheck,
  noResponseCheck,
  bufferingCheck,
  framingCheck,
  compressionCheck,
  headersCheck,
  resumabilityCheck,
  lensCheck,
];

export interface Health {
  findings: DoctorFinding[];
  /** Counts by severity, for the badge. */
  counts: Record<DoctorSeverity, number>;
}

/** What the doctor may assume about a connection from where it was seen: a page hook sees only some response headers, and none of an EventSource's comments. */
export function contextFor(observed: ObservedOrigin | undefined, openStreamsOfOrigin: number | null = null): DoctorContext {
  const hooked = observed?.mode === 'hook';
  return { openStreamsOfOrigin, headersSeen: hooked ? 'some' : 'all', commentsHidden: hooked && observed.api === 'eventsource' };
}

export function createDoctor(context: DoctorContext = { openStreamsOfOrigin: null }) {
  const folds = CHECKS.map((check) => check.create(context));
  return {
    add(entry: TimelineEntry): void {
      for (const fold of folds) fold.add(entry);
    },
    health(): Health {
      const findings = folds.flatMap((fold) => fold.findings());
      const rank = (s: DoctorSeverity) => DOCTOR_SEVERITIES.indexOf(s);
      findings.sort((a, b) => rank(a.severity) - rank(b.severity));
      const counts: Record<DoctorSeverity, number> = { error: 0, warning: 0, info: 0 };
      for (const f of findings) counts[f.severity]++;
      return { findings, counts };
    },
  };
}

export type Doctor = ReturnType<typeof createDoctor>;
