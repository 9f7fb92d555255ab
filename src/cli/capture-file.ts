/**
 * A capture file written while capturing: each entry goes to the file as it comes, so memory stays
 * the same however long the stream runs, and the few parts derived from all entries (attempt
 * summaries, redactions) are written at the end. The result is the format of
 * docs/capture-format.md, keys in another order: entries first, then `attempts` and `redactions`.
 *
 * Writes are synchronous and buffered: a full disk or a slow one holds the event loop, which holds
 * reading from the stream (the server's TCP window takes the burst) rather than queueing entries;
 * and finishing can run anywhere the process ends, even in an 'exit' handler.
 *
 * The file never grows past what the importer opens (LIMITS): when the next entry would
 * take it past the size or entry limit, entries stop and one `entries-dropped` entry says how many
 * were left out.
 */
import { closeSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { ConnectionConfig } from '../core/config.js';
import { CAPTURE_FORMAT, CAPTURE_VERSION, hasMaskedValue, redactConfig, TOOL_NAME, type Redaction } from '../core/capture/format.js';
import { createConnectionFold, type AttemptRecord } from '../core/fold.js';
import { LIMITS } from '../core/limits.js';
import { REDACTED } from '../core/secrets.js';
import type { TimelineEntry } from '../core/timeline.js';

export interface CaptureFileWriter {
  /** Writes the entry, or counts it as dropped once the file is full. */
  add(entry: TimelineEntry): void;
  /** Closes the file as valid JSON under its real name; later calls do nothing. Throws if writing failed. */
  finish(): { entries: number; dropped: number; bytes: number };
  /** Why entries stopped being written, once they have; null until then. */
  readonly fullBecause: string | null;
}

const FLUSH_BYTES = 1024 * 1024;
/** Room kept for what is written at the end besides attempt summaries: brackets, redactions, createdAt, the entries-dropped entry. */
const TAIL_RESERVE_BYTES = 16 * 1024;
/** A summary repeats its attempt's lifecycle entries less their common fields, plus its own keys. */
const SUMMARY_OVERHEAD_BYTES = 256;
/** Entries past the importer's per-connection limit are not written; one place is kept for the entries-dropped entry. */
const MAX_ENTRIES = LIMITS.entriesPerConnection - 1;

const indent = (json: string, by: string): string => json.split('\n').join(`\n${by}`);

/**
 * `maxBytes` is capped at the importer's limit. Opens `${path}.partial` (and a scratch file for
 * attempt summaries) at once, so a path that cannot be written is reported before connecting.
 */
export function openCaptureFile(path: string, connectionId: string, config: ConnectionConfig, toolVersion: string, maxBytes: number = LIMITS.captureFileBytes): CaptureFileWriter {
  const limit = Math.min(maxBytes, LIMITS.captureFileBytes);
  const partial = `${path}.partial`;
  const attemptsPath = `${path}.attempts.partial`;
  const fd = openSync(partial, 'w');
  let attemptsFd: number;
  try {
    attemptsFd = openSync(attemptsPath, 'w+');
  } catch (err) {
    closeSync(fd);
    rmSync(partial, { force: true });
    throw err;
  }

  const configRedactions: Redaction[] = [];
  const redactedConfig = redactConfig(config, 'connections[0].config', configRedactions);
  let buffer = '';
  let bytes = 0;
  let attemptBytes = 0;
  /** Bytes promised to the summary of the attempt still open (its lifecycle entries so far). */
  let openSummaryBytes = 0;
  let entries = 0;
  let dropped = 0;
  let firstDropped: TimelineEntry | null = null;
  let maskedEntries = false;
  let fullBecause: string | null = null;
  let done = false;
  let failure: unknown = null;
  /** The written entries, folded: the summaries a capture holds, one attempt in memory at a time. */
  const fold = createConnectionFold({ keepAttempts: 1 });
  let summarized: AttemptRecord | null = null;
  let attemptsWritten = 0;

  const write = (text: string): void => {
    buffer += text;
    bytes += Buffer.byteLength(text);
    if (buffer.length >= FLUSH_BYTES) flush();
  };
  const flush = (): void => {
    if (buffer === '') return;
    writeSync(fd, buffer);
    buffer = '';
  };
  /** Writes the latest attempt's summary, once: when the next attempt starts, or at the end. */
  const flushSummary = (): void => {
    const latest = fold.attempts[0];
    if (latest !== undefined && latest !== summarized) {
      const line = `${attemptsWritten === 0 ? '' : ',\n'}        ${JSON.stringify(latest.summary)}`;
      writeSync(attemptsFd, line);
      attemptBytes += Buffer.byteLength(line);
      attemptsWritten++;
      summarized = latest;
    }
    openSummaryBytes = 0;
  };

  const head = [
    '{',
    `  "format": ${JSON.stringify(CAPTURE_FORMAT)},`,
    `  "version": ${CAPTURE_VERSION},`,
    `  "tool": ${JSON.stringify({ name: TOOL_NAME, version: toolVersion })},`,
    '  "connections": [',
    '    {',
    `      "id": ${JSON.stringify(connectionId)},`,
    `      "config": ${indent(JSON.stringify(redactedConfig, null, 2), '      ')},`,
    '      "entries": [',
    '',
  ].join('\n');
  write(head);
  const tailReserve = TAIL_RESERVE_BYTES + Buffer.byteLength(JSON.stringify(configRedactions, null, 2));

  function add(entry: TimelineEntry): void {
    if (done || failure !== null) return;
    if (fullBecause !== null) {
      dropped++;
      return;
    }
    const line = `${entries === 0 ? '' : ',\n'}        ${JSON.stringify(entry)}`;
    const lineBytes = Buffer.byteLength(line);
    const lifecycleEntry = entry.kind === 'attempt-started' || entry.kind === 'response' || entry.kind === 'attempt-ended';
    const summaryBytes = lifecycleEntry ? lineBytes + SUMMARY_OVERHEAD_BYTES : 0;
    if (entries >= MAX_ENTRIES) {
      fullBecause = `the ${LIMITS.entriesPerConnection.toLocaleString('en')} entries a capture may hold`;
    } else if (bytes + lineBytes + attemptBytes + openSummaryBytes + summaryBytes + tailReserve > limit) {
      fullBecause = `its size limit of ${limit.toLocaleString('en')} bytes`;
    }
    if (fullBecause !== null) {
      firstDropped = entry;
      dropped++;
      return;
    }
    try {
      if (entry.kind === 'attempt-started') flushSummary();
      fold.add(entry);
      openSummaryBytes += summaryBytes;
      if (hasMaskedValue(entry)) maskedEntries = true;
      write(line);
      entries++;
    } catch (err) {
      failure = err;
    }
  }

  function finish(): { entries: number; dropped: number; bytes: number } {
    if (done) return { entries, dropped, bytes };
    done = true;
    try {
      if (failure !== null) throw failure;
      if (firstDropped !== null) {
        const first: TimelineEntry = firstDropped;
        const note: TimelineEntry = {
          connectionId,
          attempt: first.attempt,
          seq: first.seq,
          time: first.time,
          kind: 'entries-dropped',
          count: dropped,
          detail: `the capture file reached ${fullBecause ?? 'its limit'}; later entries were not written`,
        };
        write(`${entries === 0 ? '' : ',\n'}        ${JSON.stringify(note)}`);
      }
      flushSummary();
      write('\n      ],\n      "attempts": [\n');
      flush();
      copyAttempts();
      const redactions: Redaction[] = [];
      if (maskedEntries) redactions.push({ where: 'connections[0].entries', what: `secret header values and URL credentials, shown as ${REDACTED}` });
      redactions.push(...configRedactions);
      write(`\n      ]\n    }\n  ],\n  "createdAt": ${JSON.stringify(new Date().toISOString())},\n  "redactions": ${indent(JSON.stringify(redactions, null, 2), '  ')}\n}\n`);
      flush();
      closeSync(fd);
      closeSync(attemptsFd);
      // Only a complete file gets the real name: an interrupted write never leaves half a capture there.
      renameSync(partial, path);
      rmSync(attemptsPath, { force: true });
      return { entries, dropped, bytes: bytes + attemptBytes };
    } catch (err) {
      for (const f of [fd, attemptsFd]) {
        try {
          closeSync(f);
        } catch {
          // Already closed.
        }
      }
      rmSync(attemptsPath, { force: true });
      rmSync(partial, { force: true });
      throw err;
    }
  }

  function copyAttempts(): void {
    const chunk = Buffer.alloc(FLUSH_BYTES);
    for (let at = 0; ; ) {
      const n = readSync(attemptsFd, chunk, 0, chunk.length, at);
      if (n === 0) return;
      writeSync(fd, chunk, 0, n);
      at += n;
    }
  }

  return {
    add,
    finish,
    get fullBecause() {
      return fullBecause;
    },
  };
}
