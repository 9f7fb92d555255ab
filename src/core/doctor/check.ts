/**
 * The stream doctor (issue 14): why a stream misbehaves, not only what it did. Each check is a pure,
 * incremental fold over a connection's timeline entries (its request and response headers are
 * entries too): `add` costs per new entry, `findings()` is cheap enough to call after every batch.
 * Checks know nothing of browsers or UI; the panel, the viewer and the CLI (`sse-devtools doctor`)
 * read the same findings. A capture's findings are computed again on import, never read from the
 * file. Input is hostile: every size kept here is bounded.
 */
import type { TimelineEntry } from '../timeline.js';

export const DOCTOR_SEVERITIES = ['error', 'warning', 'info'] as const;
export type DoctorSeverity = (typeof DOCTOR_SEVERITIES)[number];

/** What shows a finding: timeline rows (by connection and seq) or a header, with a short note of what to look at. */
export interface DoctorEvidence {
  connectionId: string;
  /** The entry that shows it; null for a header-only piece of evidence. */
  seq: number | null;
  /** The header it is about, as the response or request named it; null when it is about entries. */
  header: string | null;
  /** "events 12–40 arrived in one read 2.1 s after the previous", "Content-Encoding: gzip". */
  note: string;
}

export interface DoctorFinding {
  /** Which check found it (DoctorCheck.name). */
  check: DoctorCheckName;
  /** Stable, for tests, docs/doctor.md and `--fail-on`: 'buffered-bursts', 'compressed', 'no-ids', … */
  code: string;
  severity: DoctorSeverity;
  /** One line: "Events arrive in bursts: something between the server and the client buffers the stream". */
  title: string;
  /** Bounded (DOCTOR_LIMITS.evidence); the first pieces are the most telling. */
  evidence: DoctorEvidence[];
  /** Why it matters to a client of this stream. */
  why: string;
  /** What usually fixes it (the usual suspects and their settings). */
  fix: string;
  /** Optional table (the "would this client parse this stream?" table over the client profiles, the timeouts table). */
  table: DoctorTable | null;
}

export interface DoctorTable {
  columns: string[];
  rows: string[][];
}

export const DOCTOR_CHECK_NAMES = ['buffering', 'compression', 'headers', 'heartbeat', 'resumability', 'framing', 'lens'] as const;
export type DoctorCheckName = (typeof DOCTOR_CHECK_NAMES)[number];

/** What a check may know besides the entries: facts about where the stream is seen (the observed tab's open streams per origin). */
export interface DoctorContext {
  /** Open streams of the same origin in the observed tab right now, when known (HTTP/1.1's six-connection limit). */
  openStreamsOfOrigin: number | null;
  /** The stream's HTTP version when the host knows it ('HTTP/1.1', 'h2', …): HTTP/2 and /3 have no six-connection limit. Absent: unknown. */
  httpVersion?: string | null;
  /**
   * Whether the response entries hold every header the server sent. 'some' for a stream a page hook
   * observed (an EventSource's are not seen at all, a cross-origin fetch shows only what CORS
   * exposes): a header missing there is unknown, not absent. Absent: 'all'.
   */
  headersSeen?: 'all' | 'some';
  /**
   * True for a page's own EventSource: the hook sees its events but never its comments, so a
   * silence between events may have been filled by heartbeats. Absent means comments are seen.
   */
  commentsHidden?: boolean;
}

export interface DoctorFold {
  add(entry: TimelineEntry): void;
  /** Findings so far; an entry that settles a finding (an attempt's end) makes it final. */
  findings(): DoctorFinding[];
}

export interface DoctorCheck {
  name: DoctorCheckName;
  create(context: DoctorContext): DoctorFold;
}

/** Entries the stream's own bytes made: their time is when the chunk carrying them arrived (what a silence is measured by). */
export const STREAM_BYTE_KINDS: ReadonlySet<TimelineEntry['kind']> = new Set(['event', 'comment', 'retry-changed', 'ignored-line']);

export const DOCTOR_LIMITS = {
  evidence: 20,
  findingsPerCheck: 50,
  noteChars: 300,
} as const;
