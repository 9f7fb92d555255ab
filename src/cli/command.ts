/**
 * What every CLI command shares: the row it has in main's table, the Io it talks through (so tests
 * and main give it the process, or not), and the usage errors it throws for bad arguments (exit 2).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  isTTY: boolean;
  env: Record<string, string | undefined>;
  onSignal: (signal: 'SIGINT' | 'SIGTERM', handler: () => void) => () => void;
  /** Bytes given to out() that stdout has not taken yet: a pipe whose reader is slower than the stream. */
  outBacklog: () => number;
  /** Calls `handler` once if stdout closes under us (EPIPE: the CLI was piped into `head`). */
  onOutClosed: (handler: () => void) => () => void;
}

export interface Command {
  name: string;
  /** What follows `sse-devtools` in the overview, e.g. `capture URL [options]`. */
  synopsis: string;
  /** One line for the overview. */
  summary: string;
  /** What `sse-devtools help NAME` prints. */
  help: string;
  /** Resolves to the exit status; throws UsageError for arguments it cannot take. */
  run: (argv: string[], io: Io) => Promise<number>;
}

/** Bad arguments: main prints the message (secrets masked) and a pointer to the help, and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** node's parseArgs, strict, with its complaints turned into usage errors (exit 2). */
export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true as const, strict: true as const });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}
