/** The one binary: `sse-devtools capture|demo|replay|export|help`. */
import { maskArgSecrets } from './args.js';
import { UsageError, type Io } from './command.js';
import { COMMANDS } from './commands.js';
import { safeLines } from '../core/describe.js';
import { TOOL_VERSION } from '../core/version.js';

const overviewLine = (synopsis: string, summary: string): string => `  sse-devtools ${synopsis.padEnd(27)}${summary}`;

const HELP = `sse-devtools ${TOOL_VERSION}: debug Server-Sent Events streams

Usage:
${COMMANDS.map((c) => overviewLine(c.synopsis, c.summary)).join('\n')}
${overviewLine('help [command]', 'help for a command')}
  sse-devtools --version

Run 'sse-devtools help capture' for every capture option.
`;

async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (command) return await command.run(rest, io);
    switch (name) {
      case 'help':
      case '--help':
      case '-h':
      case undefined:
        io.out(COMMANDS.find((c) => c.name === rest[0])?.help ?? HELP);
        return name === undefined ? 2 : 0;
      case '--version':
      case '-V':
        io.out(TOOL_VERSION);
        return 0;
      default:
        throw new UsageError(`unknown command "${name}"; run 'sse-devtools help'`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      // Messages quote arguments, and arguments can hold tokens or be pasted from anywhere.
      io.err(`sse-devtools: ${safeLines(maskArgSecrets(err.message, argv))}`);
      io.err(`Run 'sse-devtools help${command ? ` ${command.name}` : ''}' for usage.`);
      return 2;
    }
    throw err;
  }
}

const outClosedHandlers = new Set<() => void>();
let outClosed = false;
// EPIPE and friends: the reader of stdout is gone. Without a listener the error would kill the
// process before a capture file is closed; with one, the capture stops the way Ctrl-C stops it.
process.stdout.on('error', () => {
  if (outClosed) return;
  outClosed = true;
  for (const handler of [...outClosedHandlers]) handler();
});
// Nowhere left to report a failing stderr to; it must not end the process either.
process.stderr.on('error', () => {});

const io: Io = {
  out: (line) => {
    if (!outClosed) process.stdout.write(`${line}\n`);
  },
  write: (text) => {
    if (!outClosed) process.stdout.write(text);
  },
  err: (line) => process.stderr.write(`${line}\n`),
  isTTY: process.stdout.isTTY === true,
  env: process.env,
  onSignal: (signal, handler) => {
    process.on(signal, handler);
    return () => process.off(signal, handler);
  },
  outBacklog: () => process.stdout.writableLength,
  onOutClosed: (handler) => {
    outClosedHandlers.add(handler);
    return () => outClosedHandlers.delete(handler);
  },
};

main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
    // Streams and servers are closed by now; exit anyway so a stray keep-alive socket cannot hold the process.
    setTimeout(() => process.exit(code), 100).unref();
  },
  (err: unknown) => {
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.stderr.write(`sse-devtools: unexpected error: ${safeLines(maskArgSecrets(message, process.argv))}\n`);
    process.exit(1);
  },
);
