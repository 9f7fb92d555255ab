/**
 * Lens-level findings (issue 14, item 7): where an LLM or MCP lens recognises the stream, what it
 * says loudly (an answer that ended without its terminal event, an error after a 200) is a finding
 * of the doctor too, its evidence the row the lens points at.
 */
import type { TimelineEntry } from '../timeline.js';
import type { LensFold, LensFinding } from '../lenses/lens.js';
import { detectLens } from '../lenses/registry.js';
import type { DoctorCheck, DoctorFinding, DoctorFold } from './check.js';
import { createFindingSet, evidenceOf, type FindingText } from './finding-set.js';

/** Detection reads the first events; past this many entries without a lens there is none to find. */
const DETECT_ENTRIES = 64;
/** Detect after this many events, as the CLI's `--lens auto` does, or when an attempt ends. */
const DETECT_EVENTS = 3;

const TEXTS: Record<string, (lens: string) => FindingText> = {
  'no-terminal': (lens) => ({
    severity: 'error',
    title: `The ${lens} stream ended without its terminal event: the answer may be cut`,
    why: 'The provider ends a complete answer with a terminal event ([DONE], message_stop, response.completed, finish). Without it the connection was cut mid-answer (a proxy timeout, a network drop, a server crash), and a client that does not check shows half an answer as if it were whole.',
    fix: 'Look at how the attempt ended (its end row): an idle or max-age cut from a proxy needs a longer timeout or heartbeats; a server crash needs its logs. Clients should treat a missing terminal event as a failure and retry or say so.',
  }),
  'error-after-200': (lens) => ({
    severity: 'error',
    title: `The ${lens} stream reported an error after a 200 response`,
    why: 'Once the 200 and the first bytes are sent the status cannot change, so providers report failures (overloaded, rate limits, content filters) as an error event inside the stream. Clients that only check the status treat the failure as a success.',
    fix: 'Handle the format\'s error event in the client (and retry when the provider says it may); on the server, check what failed at that moment (its logs, the provider\'s status).',
  }),
};

const DOCTOR_CODES = new Set(Object.keys(TEXTS));

export const lensCheck: DoctorCheck = {
  name: 'lens',
  create(): DoctorFold {
    let pending: TimelineEntry[] | null = [];
    let events = 0;
    let lens: { title: string; fold: LensFold } | null = null;
    let connectionId = '';
    const detect = (): void => {
      if (pending === null) return;
      const found = detectLens(pending);
      if (found === null) {
        if (pending.length >= DETECT_ENTRIES) pending = null;
        return;
      }
      lens = { title: found.title, fold: found.create() };
      for (const e of pending) lens.fold.add(e);
      pending = null;
    };
    return {
      add(entry) {
        connectionId = entry.connectionId;
        if (lens !== null) {
          lens.fold.add(entry);
          return;
        }
        if (pending === null) return;
        pending.push(entry);
        if (entry.kind === 'event') events++;
        if (events >= DETECT_EVENTS || entry.kind === 'attempt-ended' || pending.length >= DETECT_ENTRIES) detect();
      },
      findings(): DoctorFinding[] {
        if (lens === null) return [];
        const set = createFindingSet('lens');
        const title = lens.title;
        for (const f of lens.fold.summary().findings.filter((x: LensFinding) => DOCTOR_CODES.has(x.code))) {
          set.report(f.code, { ...TEXTS[f.code]!(title), severity: f.severity }, f.seq === null ? null : evidenceOf(f.connectionId ?? connectionId, f.seq, f.message));
        }
        return set.findings();
      },
    };
  },
};
