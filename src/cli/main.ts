/** The one binary: `sse-devtools capture|demo|help`. */
import { CAPTURE_HELP, maskArgSecrets, parseCaptureArgs, UsageError } from './args.js';
import { runCapture, type Io } from './capture.js';
import { DEMO_HELP, runDemo } from './demo.js';
import { EXPORT_HELP, REPLAY_HELP, runExport, runReplay } from './files.js';
import { safeLines } from '../core/describe.js';
import { TOOL_VERSION } from '../core/version.js';

const HELP = `sse-devtools ${TOOL_VERSION}: debug Server-Sent Events streams

Usage:
  sse-devtools capture URL [options]   open a stream, print its timeline live, save a capture
  sse-devtools demo [options]          run the demo SSE server on 127.0.0.1:8787
  sse-devtools replay FILE [options]   serve a captured connection as a live SSE endpoint
  sse-devtools export FILE -o OUT      re-export a capture or HAR, redacted and filtered
  sse-devtools help [command]          help for a command
  sse-devtools --version

Run 'sse-devtools help capture' for every capture option.
`;

export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'capture': {
        const args = parseCaptureArgs(rest);
        if (args === 'help') {
          io.out(CAPTURE_HELP);
          return 0;
        }
        return await runCapture(args, io);
      }
      case 'demo':
        return await runDemo(rest, io);
      case 'replay':
        return await runReplay(rest, io);
      case 'export':
        return await runExport(rest, io);
      case 'help':
      case '--help':
      case '-h':
      case undefined:
        io.out(({ capture: CAPTURE_HELP, demo: DEMO_HELP, replay: REPLAY_HELP, export: EXPORT_HELP } as Record<string, string>)[rest[0] ?? ''] ?? HELP);
        return command === undefined ? 2 : 0;
      case '--version':
      case '-V':
        io.out(TOOL_VERSION);
        return 0;
      default:
        throw new UsageError(`unknown command "${command}"; run 'sse-devtools help'`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      // Messages quote arguments, and arguments can hold tokens or be pasted from anywhere.
      io.err(`sse-devtools: ${safeLines(maskArgSecrets(err.message, argv))}`);
      io.err(`Run 'sse-devtools help${['capture', 'demo', 'replay', 'export'].includes(command ?? '') ? ` ${command}` : ''}' for usage.`);
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
