/**
 * `sse-devtools doctor URL|FILE`: the stream doctor's findings for a live stream (run like
 * `capture`) or a capture file (computed from its entries, never read from the file), printed for a
 * person or as JSON, with an exit status a CI job can fail on.
 */
import { contextFor, createDoctor, type Health } from '../core/doctor/doctor.js';
import type { DoctorContext } from '../core/doctor/check.js';
import { DOCTOR_SEVERITIES, type DoctorFinding, type DoctorSeverity, type DoctorTable } from '../core/doctor/check.js';
import { safeJson, safeText, type Style } from '../core/describe.js';
import type { TimelineEntry } from '../core/timeline.js';
import { CAPTURE_OPTIONS, captureArgsFrom } from './args.js';
import { runCapture } from './capture.js';
import { parseOptions, UsageError, type Io, type OptionSpecs } from './command.js';
import { loadCaptureFile } from './files.js';
import { colors, plain } from './format-line.js';

/** A finding at or above --fail-on; also a stream that never answered 200, which leaves nothing to check. */
const EXIT_FOUND = 1;
/** 128 + SIGPIPE, as capture: the reader of stdout went away. */
const EXIT_STDOUT_CLOSED = 141;

const { lens: _lens, ...connectionOptions } = CAPTURE_OPTIONS;

export const DOCTOR_OPTIONS = {
  ...connectionOptions,
  'fail-on': { type: 'string' },
} as const satisfies OptionSpecs;

/** What `doctor FILE` takes: the connection options make no sense for a file. */
const FILE_OPTIONS: ReadonlySet<string> = new Set(['fail-on', 'json', 'color', 'no-color', 'help']);

const FAIL_ON = ['warning', 'error'] as const;
type FailOn = (typeof FAIL_ON)[number];

export const DOCTOR_HELP = `Usage: sse-devtools doctor URL [options]
       sse-devtools doctor FILE [--fail-on warning|error] [--json]

Says why a stream misbehaves: compression, headers, resumability (ids, Last-Event-ID, retry:),
and what an LLM or MCP lens finds (an answer without its terminal event, an error after a 200).
Each finding has a severity, its evidence (timeline rows by number, or headers), why it matters
and what usually fixes it. docs/doctor.md lists every finding.

  URL    open the stream as 'sse-devtools capture' does (every capture option below applies,
         -o FILE saves the capture too) until --duration runs out, the connection stops (the
         server's 204, --max-reconnects, a failure the client does not retry) or Ctrl-C; then
         print the findings. For CI, give --duration and, to see reconnects, --max-reconnects.
  FILE   a capture file (or a HAR): the findings of each of its connections, computed from its
         entries

      --fail-on warning|error  exit ${EXIT_FOUND} when a finding of at least this severity is found
      --json                   print the findings as one JSON object instead of text
  -v, --verbose                also print the timeline as capture does, to stderr
      --color / --no-color     force or disable colours
  -h, --help                   show this help

Capture options (URL only; see 'sse-devtools help capture'):
  -H, --header, -X, --request, -d, --data, --secret-header, --secret-body, --last-event-id,
  --last-event-id-param, --profile, --connect-timeout, --idle-timeout, --reconnect-delay,
  --max-reconnects, --retry-http-errors, --proxy-idle-timeout, --max-connection-age,
  --proxy-preset, --latency, --duration, -o, --output, --max-file-bytes

Exit status: 0 when no finding reaches --fail-on (always without it); ${EXIT_FOUND} when one does, or when
the stream never answered with a 200 (there was nothing to check); 2 for bad arguments or a file
that is not a capture; ${EXIT_STDOUT_CLOSED} when stdout closes.

Example (CI):
  sse-devtools doctor https://api.example.com/stream -H 'Authorization: Bearer …' \\
    --duration 20000 --max-reconnects 1 --fail-on warning
`;

interface Checked {
  id: string;
  url: string;
  health: Health;
  /** Whether any attempt got a 200: without one the headers and events were never seen. */
  answered: boolean;
}

function healthOf(entries: readonly TimelineEntry[], context: DoctorContext): { health: Health; answered: boolean } {
  const doctor = createDoctor(context);
  let answered = false;
  for (const e of entries) {
    doctor.add(e);
    if (e.kind === 'response' && e.status === 200) answered = true;
  }
  return { health: doctor.health(), answered };
}

export async function runDoctor(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseOptions(argv, DOCTOR_OPTIONS);
  if (values.help) {
    io.out(DOCTOR_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('doctor takes one URL or one capture file, e.g. sse-devtools doctor http://127.0.0.1:8787/events');
  const failOnRaw = values['fail-on'];
  if (failOnRaw !== undefined && !(FAIL_ON as readonly string[]).includes(failOnRaw)) throw new UsageError(`--fail-on takes warning or error, not "${failOnRaw}"`);
  const failOn = (failOnRaw ?? null) as FailOn | null;
  const style = (values['no-color'] ? false : (values.color ?? (io.isTTY && !io.env.NO_COLOR))) ? colors : plain;
  const target = positionals[0]!;

  let checked: Checked[];
  let code = 0;
  if (/^https?:\/\//i.test(target)) {
    const args = captureArgsFrom({ ...values, json: false, verbose: values.verbose }, target);
    // Node's global fetch (undici) speaks HTTP/1.1, also to a server that offers h2, unless a dispatcher with allowH2
    // is set, and the CLI sets none. It counts no other streams, so this only keeps the context truthful.
    const doctor = createDoctor({ openStreamsOfOrigin: null, httpVersion: 'HTTP/1.1' });
    let answered = false;
    // The timeline goes to stderr with -v, nowhere without: stdout holds only the findings.
    const quiet: Io = { ...io, out: values.verbose ? io.err : () => {}, write: values.verbose ? (t) => io.err(t) : () => {} };
    io.err(`checking ${safeText(args.config.url)}${args.durationMs === null ? ' until the stream stops (Ctrl-C to stop and see the findings)' : ''} …`);
    const captured = await runCapture(args, quiet, (e) => {
      doctor.add(e);
      if (e.kind === 'response' && e.status === 200) answered = true;
    });
    if (captured === EXIT_STDOUT_CLOSED) return captured;
    checked = [{ id: 'c1', url: args.config.url, health: doctor.health(), answered }];
  } else {
    const extra = Object.keys(values).filter((k) => !FILE_OPTIONS.has(k));
    if (extra.length > 0) throw new UsageError(`doctor FILE takes only --fail-on, --json and --color; ${extra.map((k) => `--${k}`).join(', ')} ${extra.length === 1 ? 'is' : 'are'} for a URL`);
    const capture = await loadCaptureFile(target);
    checked = capture.connections.map((c) => ({ id: c.id, url: c.config.url, ...healthOf(c.entries, contextFor(c.observed)) }));
  }

  const failed = checked.some((c) => !c.answered || (failOn !== null && c.health.findings.some((f) => atLeast(f.severity, failOn))));
  if (failed) code = EXIT_FOUND;
  if (values.json) {
    io.out(safeJson({ format: 'sse-devtools-doctor', failOn, failed, connections: checked.map((c) => ({ id: c.id, url: c.url, answered: c.answered, counts: c.health.counts, findings: c.health.findings })) }));
  } else {
    checked.forEach((c, i) => {
      if (i > 0) io.out('');
      formatConnection(c, style).forEach((l) => io.out(l));
    });
  }
  return code;
}

const rank = (s: DoctorSeverity): number => DOCTOR_SEVERITIES.indexOf(s);
const atLeast = (s: DoctorSeverity, floor: FailOn): boolean => rank(s) <= rank(floor);

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

const SEVERITY_STYLE: Record<DoctorSeverity, (s: Style) => (t: string) => string> = {
  error: (s) => (t) => s.bold(s.red(t)),
  warning: (s) => (t) => s.bold(s.yellow(t)),
  info: (s) => s.cyan,
};

function formatConnection(c: Checked, s: Style): string[] {
  const { counts, findings } = c.health;
  const head = `${s.bold('Health')} of ${safeText(c.id)} ${safeText(c.url)}: ${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${counts.info} info`;
  const lines = [head];
  if (!c.answered) lines.push(s.red('  the stream never answered with a 200: its headers and events could not be checked'));
  else if (findings.length === 0) lines.push(s.green('  no findings'));
  for (const f of findings) lines.push('', ...formatFinding(f, s));
  return lines;
}

function formatFinding(f: DoctorFinding, s: Style): string[] {
  const lines = [`${SEVERITY_STYLE[f.severity](s)(f.severity.toUpperCase().padEnd(7))} ${safeText(f.title)} ${s.dim(`[${safeText(f.check)}/${safeText(f.code)}]`)}`];
  if (f.evidence.length > 0) lines.push(`  ${s.bold('evidence:')}`);
  for (const e of f.evidence) {
    const where = e.seq !== null ? `row ${e.seq}` : `header ${safeText(e.header ?? '')}`;
    lines.push(`    ${s.dim(where.padEnd(9))} ${safeText(e.note)}`);
  }
  lines.push(`  ${s.bold('why:')} ${safeText(f.why)}`, `  ${s.bold('fix:')} ${safeText(f.fix)}`);
  if (f.table !== null) lines.push(...formatTable(f.table).map((l) => `    ${l}`));
  return lines;
}

const CELL_CHARS = 60;

function formatTable(t: DoctorTable): string[] {
  const cell = (v: string): string => {
    const text = safeText(v);
    return text.length > CELL_CHARS ? `${text.slice(0, CELL_CHARS - 1)}…` : text;
  };
  const rows = [t.columns, ...t.rows].map((r) => r.map(cell));
  const widths = t.columns.map((_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0)));
  return rows.map((r) => r.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd());
}
