/**
 * `sse-devtools capture`: one connection, its timeline printed live and, with -o, written to the
 * capture file as it happens; the file is closed when the stream ends, when --duration runs out,
 * on Ctrl-C, or when stdout closes.
 */
import { createConnection } from '../core/engine.js';
import { formatDuration, safeJson, safeText } from '../core/describe.js';
import type { AttemptEndedEntry, TimelineEntry } from '../core/timeline.js';
import { TOOL_VERSION } from '../core/version.js';
import type { CaptureArgs } from './args.js';
import type { Io } from './command.js';
import { openCaptureFile, type CaptureFileWriter } from './capture-file.js';
import { colors, formatBody, formatEntry, formatHeaders, plain } from './format-line.js';
import { createLensView } from './lens-view.js';

/** How a stream's end maps to an exit status: ending as the server chose is success, anything else failure. */
const SUCCESSFUL_ENDS: ReadonlySet<string> = new Set(['closed-by-server', 'no-content', 'closed-by-user']);

/** Past this much unwritten output, lines are counted instead of queued: memory stays bounded when the reader of stdout is slow. */
const MAX_OUT_BACKLOG = 4 * 1024 * 1024;

/** 128 + SIGPIPE, what a shell reports for a writer whose reader went away. */
const EXIT_STDOUT_CLOSED = 141;

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** `onEntry` sees every entry as it comes (the doctor folds them); what is printed is the io's. */
export async function runCapture(args: CaptureArgs, io: Io, onEntry: (e: TimelineEntry) => void = () => {}): Promise<number> {
  const style = (args.color ?? (io.isTTY && !io.env.NO_COLOR)) ? colors : plain;
  const connectionId = 'c1';
  let lastEnd: AttemptEndedEntry | null = null;
  const output = args.output;

  let file: CaptureFileWriter | null = null;
  if (output !== null) {
    try {
      file = openCaptureFile(output, connectionId, args.config, TOOL_VERSION, args.maxFileBytes ?? undefined);
    } catch (err) {
      io.err(`could not write the capture to ${safeText(output)}: ${safeText(message(err))}`);
      return 1;
    }
  }
  // Whatever ends the process (an unexpected error included), the file is closed as valid JSON.
  const finishAtExit = (): void => {
    try {
      file?.finish();
    } catch {
      // Nothing left to report to.
    }
  };
  process.once('exit', finishAtExit);

  let outClosed = false;
  let unprinted = 0;
  let fullReported = false;
  const reportUnprinted = (): void => {
    io.err(`… ${unprinted} entries were not printed: stdout could not keep up with the stream${file ? ' (the capture file has them)' : ''}`);
    unprinted = 0;
  };

  // --json always reads the stream through a lens (detected), so a machine reader gets its meaning too.
  const lensChoice = args.lens ?? (args.json ? 'auto' : null);
  const lens = lensChoice === null ? null : createLensView(lensChoice, style);

  const print = (e: TimelineEntry): void => {
    if (outClosed) return;
    // The lens reads every entry, printed or not: what it prints later depends on all of them.
    const view = lens === null ? null : lens.add(e);
    if (io.outBacklog() > MAX_OUT_BACKLOG) {
      unprinted++;
      return;
    }
    if (unprinted > 0) reportUnprinted();
    if (args.json) {
      io.out(safeJson(e));
      return;
    }
    if (view !== null) {
      if (view.text !== '') io.write(view.text);
      view.timeline.forEach(line);
      return;
    }
    line(e);
  };

  function line(e: TimelineEntry): void {
    io.out(formatEntry(e, style, args.config.profile));
    if (e.kind === 'attempt-ended' && e.body) formatBody(e.body, style).forEach((l) => io.out(l));
    if (args.verbose && (e.kind === 'attempt-started' || e.kind === 'response')) {
      formatHeaders(e.headers, e.kind === 'response' ? '<' : '>', style).forEach((l) => io.out(l));
    }
  }

  let finish!: (code: number) => void;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  let exitCode: number | null = null;

  const connection = createConnection({
    id: connectionId,
    config: args.config,
    onEntry: (e) => {
      if (file) {
        file.add(e);
        if (!fullReported && file.fullBecause !== null) {
          fullReported = true;
          io.err(`the capture file reached ${file.fullBecause}; later entries are not written to it`);
        }
      }
      if (e.kind === 'attempt-ended') lastEnd = e;
      onEntry(e);
      print(e);
    },
    onState: (state) => {
      if (state.phase !== 'closed') return;
      const end = lastEnd;
      finish(exitCode ?? (end && SUCCESSFUL_ENDS.has(end.reason) ? 0 : 1));
    },
  });

  const stopWith = (code: number, why?: string) => () => {
    exitCode ??= code;
    connection.close(why);
  };
  const timer = args.durationMs !== null ? setTimeout(stopWith(0, `stopped after --duration ${formatDuration(args.durationMs)}`), args.durationMs) : null;
  const offInt = io.onSignal('SIGINT', stopWith(130));
  const offTerm = io.onSignal('SIGTERM', stopWith(143, 'stopped by SIGTERM'));
  const offOut = io.onOutClosed(() => {
    outClosed = true;
    stopWith(EXIT_STDOUT_CLOSED, 'stopped: stdout was closed')();
  });

  connection.start();
  for (const fault of args.faults) connection.inject(fault);
  let code = await finished;
  if (timer) clearTimeout(timer);
  offInt();
  offTerm();
  offOut();
  if (unprinted > 0) reportUnprinted();
  if (lens !== null && !outClosed) {
    if (args.json) {
      const summary = lens.json();
      // Without --lens a stream of no known format adds no line: readers of plain entries see none.
      if (summary.lensSummary !== null || args.lens !== null) io.out(safeJson(summary));
    }
    else io.write(lens.finish());
  }

  if (file && output !== null) {
    process.off('exit', finishAtExit);
    try {
      const written = file.finish();
      const left = written.dropped > 0 ? `; ${written.dropped} later entries left out: the file reached ${file.fullBecause}` : '';
      io.err(`capture written to ${safeText(output)} (${written.entries} entries${left})`);
    } catch (err) {
      io.err(`could not write the capture to ${safeText(output)}: ${safeText(message(err))}`);
      code = code === 0 ? 1 : code;
    }
  } else {
    process.off('exit', finishAtExit);
  }
  return code;
}
