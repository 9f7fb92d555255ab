/**
 * What every CLI command shares: the row it has in main's table, the Io it talks through (so tests
 * and main give it the process, or not), and the usage errors it throws for bad arguments (exit 2).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface Io {
  out: (line: string) => void;
  /** Text as it is, no line break added: a lens appends an answer's deltas to one line. */
  write: (text: string) => void;
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
  /** Every option it accepts (parseArgs' spec): its help must list each one. */
  options: OptionSpecs;
  /** Resolves to the exit status; throws UsageError for arguments it cannot take. */
  run: (argv: string[], io: Io) => Promise<number>;
}

/** Bad arguments: main prints the message (secrets masked) and a pointer to the help, and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** node's parseArgs, strict, with its complaints turned into usage errors (exit 2). */
export function parseOptions<T extends OptionSpecs>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true as const, strict: true as const });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const unknown = /^Unknown option '(-{1,2}[^']*)'/.exec(message)?.[1];
    const nearest = unknown === undefined ? null : nearestOption(unknown, Object.keys(options));
    // Node's own hint (about positionals starting with '-') is rarely what a typo needs.
    throw new UsageError(nearest === null ? message : `Unknown option '${unknown}'; did you mean --${nearest}?`);
  }
}

/**
 * The option a mistyped one most likely meant: the fewest edits (a swap of neighbours counts as
 * one, `--jsno` → `--json`), and close enough to be a typo rather than another word.
 */
function nearestOption(typed: string, names: readonly string[]): string | null {
  const word = typed.replace(/^-+/, '').split('=')[0]!.toLowerCase();
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const name of names) {
    const d = editDistance(word, name);
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : null;
}

/** Optimal string alignment distance; option names are short, so the table is small. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}
