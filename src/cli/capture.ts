/**
 * `sse-devtools capture`: one connection, its timeline printed live, its capture written when it
 * ends, when --duration runs out, or on Ctrl-C.
 */
import { rename, writeFile } from 'node:fs/promises';
import { buildCapture, serializeCapture } from '../core/capture/format.js';
import { createConnection } from '../core/engine.js';
import type { AttemptEndedEntry, TimelineEntry } from '../core/timeline.js';
import { TOOL_VERSION } from '../core/version.js';
import type { CaptureArgs } from './args.js';
import { colors, formatEntry, formatHeaders, plain } from './format-line.js';

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  isTTY: boolean;
  env: Record<string, string | undefined>;
  onSignal: (signal: 'SIGINT' | 'SIGTERM', handler: () => void) => () => void;
}

/** How a stream's end maps to an exit status: ending as the server chose is success, anything else failure. */
const SUCCESSFUL_ENDS: ReadonlySet<string> = new Set(['closed-by-server', 'no-content', 'closed-by-user']);

export async function runCapture(args: CaptureArgs, io: Io): Promise<number> {
  const style = (args.color ?? (io.isTTY && !io.env.NO_COLOR)) ? colors : plain;
  const entries: TimelineEntry[] = [];
  let lastEnd: AttemptEndedEntry | null = null;

  const print = (e: TimelineEntry): void => {
    if (args.json) {
      io.out(JSON.stringify(e));
      return;
    }
    io.out(formatEntry(e, style, args.config.profile));
    if (args.verbose && (e.kind === 'attempt-started' || e.kind === 'response')) {
      formatHeaders(e.headers, e.kind === 'response' ? '<' : '>', style).forEach((line) => io.out(line));
    }
  };

  let finish!: (code: number) => void;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  let exitCode: number | null = null;

  const connection = createConnection({
    id: 'c1',
    config: args.config,
    onEntry: (e) => {
      entries.push(e);
      if (e.kind === 'attempt-ended') lastEnd = e;
      print(e);
    },
    onState: (state) => {
      if (state.phase !== 'closed') return;
      const end = lastEnd as AttemptEndedEntry | null;
      finish(exitCode ?? (end && SUCCESSFUL_ENDS.has(end.reason) ? 0 : 1));
    },
  });

  const stopWith = (code: number) => () => {
    exitCode = code;
    connection.close();
  };
  const timer = args.durationMs !== null ? setTimeout(stopWith(0), args.durationMs) : null;
  const offInt = io.onSignal('SIGINT', stopWith(130));
  const offTerm = io.onSignal('SIGTERM', stopWith(143));

  connection.start();
  for (const fault of args.faults) connection.inject(fault);
  let code = await finished;
  if (timer) clearTimeout(timer);
  offInt();
  offTerm();

  if (args.output !== null) {
    const capture = buildCapture([{ id: connection.id, config: args.config, entries }], TOOL_VERSION);
    try {
      // Write then rename, so an interrupted write never leaves half a capture under the real name.
      const tmp = `${args.output}.partial`;
      await writeFile(tmp, serializeCapture(capture), 'utf8');
      await rename(tmp, args.output);
      io.err(`capture written to ${args.output} (${entries.length} entries)`);
    } catch (err) {
      io.err(`could not write the capture to ${args.output}: ${err instanceof Error ? err.message : String(err)}`);
      code = code === 0 ? 1 : code;
    }
  }
  return code;
}
