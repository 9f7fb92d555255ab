/** `replay` and `export`: the CLI's commands that start from a capture (or HAR) file. */
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { exportCapture } from '../core/capture/export.js';
import { TOKEN_KINDS } from '../core/capture/token-scan.js';
import type { CaptureFile } from '../core/capture/format.js';
import { loadCaptureText } from '../core/capture/load.js';
import { serializeForWriting } from '../core/capture/write.js';
import { LIMITS, mib } from '../core/limits.js';
import { formatDuration, safeLines, safeText } from '../core/describe.js';
import { TOOL_VERSION } from '../core/version.js';
import { startReplayServer } from '../servers/replay-server.js';
import { parseOptions, UsageError, type Io, type OptionSpecs } from './command.js';

export const REPLAY_HELP = `Usage: sse-devtools replay FILE [--port N] [--speed X] [--connection ID] [--loop]

Serves a captured connection (a capture file, or a HAR saved from a Network panel) as a live SSE
endpoint on 127.0.0.1, with the original event types, ids, data, comments and retry: values and
the original timing. Each request gets the next captured attempt; a request with Last-Event-ID
resumes after that id. The stream closes where the original server (or network) closed it.
  --port N          port to listen on (default 8788; 0 picks a free one)
  --speed X         play X times as fast (default 1; 0 sends everything at once)
  --connection ID   which connection of the capture; needed when it holds several (without it,
                    replay lists them: id, URL, events, duration)
  --loop            after the last attempt start over (default: answer 204, so clients stop)
  -h, --help        show this help
`;

export const EXPORT_HELP = `Usage: sse-devtools export FILE -o OUT [--connection ID]... [--channels a,b]
                          [--redact-last-event-id] [--keep-token-like] [--from ISO] [--to ISO]

Writes a capture of FILE (a capture, or a HAR saved from a Network panel) with secrets redacted
and, optionally, only some connections, channels or a time range. Prints what was removed.
  -o, --output OUT          the capture file to write
      --connection ID       keep this connection (repeatable; default: all)
      --channels a,b        keep only events of these channels (lifecycle entries stay)
      --redact-last-event-id  also replace event ids and Last-Event-IDs with [redacted]
      --keep-token-like     keep values that only look like tokens (JWTs, sk-/ghp_/xoxb-/AKIA…
                            keys, Bearer tokens, secret-named JSON fields and URL parameters in
                            event data, ids, URLs); by default they are replaced with [redacted]
      --from ISO / --to ISO keep only entries in this time range
  -h, --help                show this help
`;

export const REPLAY_OPTIONS = {
  port: { type: 'string' },
  speed: { type: 'string' },
  connection: { type: 'string' },
  loop: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpecs;

export const EXPORT_OPTIONS = {
  output: { type: 'string', short: 'o' },
  connection: { type: 'string', multiple: true },
  channels: { type: 'string' },
  'redact-last-event-id': { type: 'boolean' },
  'keep-token-like': { type: 'boolean' },
  from: { type: 'string' },
  to: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpecs;

export async function loadCaptureFile(file: string): Promise<CaptureFile> {
  let text: string;
  let size: number;
  try {
    size = (await stat(file)).size;
    // The size first: a file past the limit is refused without being read into memory.
    text = size > LIMITS.captureFileBytes ? '' : await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (size > LIMITS.captureFileBytes) throw new UsageError(`${file} is ${mib(size)}; captures are limited to ${mib(LIMITS.captureFileBytes)}`);
  const result = loadCaptureText(text, TOOL_VERSION);
  if (!result.ok) throw new UsageError(`${file} is not a capture we can open:\n  ${result.errors.join('\n  ')}`);
  return result.capture;
}

export async function runReplay(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseOptions(argv, REPLAY_OPTIONS);
  if (values.help) {
    io.out(REPLAY_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('replay takes one capture file');
  const port = values.port === undefined ? 8788 : Number(values.port);
  const speed = values.speed === undefined ? 1 : Number(values.speed);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port takes a port number, not "${String(values.port)}"`);
  if (!Number.isFinite(speed) || speed < 0) throw new UsageError(`--speed takes a number ≥ 0, not "${String(values.speed)}"`);
  const capture = await loadCaptureFile(positionals[0]!);
  const wanted = values.connection;
  if (capture.connections.length > 1 && (wanted === undefined || !capture.connections.some((c) => c.id === wanted))) {
    // Ids are opaque: show what each one is, so the user can pick without opening the file.
    io.out(listConnections(capture));
    const first = safeText(capture.connections[0]!.id);
    throw new UsageError(wanted === undefined ? `the capture holds ${capture.connections.length} connections; pick one, e.g. --connection ${first}` : `no connection "${wanted}" in the capture; pick one of those listed, e.g. --connection ${first}`);
  }
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  // Before anything is printed: a Ctrl-C right after the first line must close the server too.
  io.onSignal('SIGINT', () => stop());
  io.onSignal('SIGTERM', () => stop());
  let server;
  try {
    server = await startReplayServer({ capture, port, speed, loop: values.loop === true, connectionId: wanted, onRequest: (l) => io.out(l) });
  } catch (err) {
    // The message can quote the file (connection ids), which is untrusted.
    io.err(`sse-devtools: ${safeLines(err instanceof Error ? err.message : String(err))}`);
    return 1;
  }
  io.out(`Replaying ${safeText(server.connection.id)} (${server.connection.attempts.length} attempts) at ${server.url} — Ctrl-C to stop`);
  await stopped;
  await server.close();
  return 0;
}

/** One line per connection, columns aligned: id, URL, events, duration (first to last entry). */
function listConnections(capture: CaptureFile): string {
  const rows = capture.connections.map((c) => {
    const events = c.entries.reduce((n, e) => n + (e.kind === 'event' ? 1 : 0), 0);
    const first = c.entries[0]?.time;
    const last = c.entries.at(-1)?.time;
    return [safeText(c.id), safeText(c.config.url), `${events} event${events === 1 ? '' : 's'}`, first === undefined || last === undefined ? '—' : formatDuration(last - first)];
  });
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `  ${r.map((cell, i) => (i === 2 ? cell.padStart(widths[i]!) : i < 3 ? cell.padEnd(widths[i]!) : cell)).join('  ')}`).join('\n');
}

export async function runExport(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseOptions(argv, EXPORT_OPTIONS);
  if (values.help) {
    io.out(EXPORT_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('export takes one input file');
  if (typeof values.output !== 'string') throw new UsageError('export needs -o OUT');
  const time = (name: string, raw: unknown): number | null => {
    if (typeof raw !== 'string') return null;
    const t = Date.parse(raw);
    if (!Number.isFinite(t)) throw new UsageError(`--${name} takes an ISO date and time, not "${raw}"`);
    return t;
  };
  const capture = await loadCaptureFile(positionals[0]!);
  const wanted = Array.isArray(values.connection) ? values.connection.map(String) : null;
  const connections = wanted ? capture.connections.filter((c) => wanted.includes(c.id)) : capture.connections;
  if (wanted && connections.length !== wanted.length) {
    throw new UsageError(`no connection ${wanted.filter((w) => !capture.connections.some((c) => c.id === w)).join(', ')} in the file (it has: ${capture.connections.map((c) => c.id).join(', ')})`);
  }
  const out = exportCapture(connections, TOOL_VERSION, {
    redactSecrets: true,
    redactLastEventIds: values['redact-last-event-id'] === true,
    redactTokenKinds: values['keep-token-like'] === true ? [] : TOKEN_KINDS,
    channels: typeof values.channels === 'string' ? values.channels.split(',').filter(Boolean) : null,
    from: time('from', values.from),
    to: time('to', values.to),
  });
  io.err(out.redactions.length === 0 ? 'nothing was removed' : `removed:\n  ${out.redactions.map((r) => safeText(`${r.where}: ${r.what}`)).join('\n  ')}`);
  const written = serializeForWriting(out);
  if (!written.ok) {
    io.err(`sse-devtools: ${written.errors.join('\n  ')}`);
    return 1;
  }
  const tmp = `${values.output}.partial`;
  await writeFile(tmp, written.text, 'utf8');
  await rename(tmp, values.output);
  io.err(`wrote ${values.output} (${out.connections.length} connections, ${out.connections.reduce((n, c) => n + c.entries.length, 0)} entries)`);
  return 0;
}
