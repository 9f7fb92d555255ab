/**
 * Command-line arguments to a ConnectionConfig, with a clear message for anything wrong.
 * Validation of the config itself is core's (validateConfig), so the CLI and the panel agree.
 */
import { defaultConfig, validateConfig, type ConnectionConfig } from '../core/config.js';
import { LIMITS } from '../core/limits.js';
import { validateFault, type Fault } from '../core/faults.js';
import { presetById, presetFault, PROXY_PRESETS } from '../core/proxy-presets.js';
import { applyProfile, profileById, PROFILES } from '../core/profiles.js';
import { isSecretHeader, isSecretParam, REDACTED, scrubText } from '../core/secrets.js';
import type { HeaderPair } from '../core/timeline.js';
import { lensByName } from '../core/lenses/registry.js';
import { parseOptions, UsageError, type OptionSpecs } from './command.js';
import { LENS_CHOICES, type LensChoice } from './lens-view.js';

export interface CaptureArgs {
  config: ConnectionConfig;
  durationMs: number | null;
  output: string | null;
  /** Stop writing entries to the file before it would pass this size; null: the importer's limit. */
  maxFileBytes: number | null;
  json: boolean;
  verbose: boolean;
  color: boolean | null;
  /** Simulations started with the connection. */
  faults: Fault[];
  /** `--lens`: print what the stream means instead of its events; null without the option. */
  lens: LensChoice | null;
}

export const CAPTURE_HELP: string = `Usage: sse-devtools capture URL [options]

Opens an SSE stream as the browser's EventSource would (WHATWG semantics), with any headers, and
prints its timeline live: every attempt, response, event (channel, id, data), comment, retry,
attempt end with its reason, and reconnect with its delay and Last-Event-ID.

Request:
  -H, --header 'Name: value'   add a request header (repeatable), e.g. -H 'Authorization: Bearer …'
  -X, --request METHOD         HTTP method (default GET; POST with -d)
  -d, --data BODY              request body; implies -X POST unless -X is given
      --secret-header NAME     mask this header's value in output and capture (repeatable);
                               Authorization, Proxy-Authorization and Cookie are always masked
      --secret-body            the body (-d) is a secret: mask it in output and capture, and
                               wherever the server echoes it

Last-Event-ID:
      --last-event-id ID       send this Last-Event-ID on the first attempt
      --last-event-id-param NAME
                               send the Last-Event-ID as this query parameter instead of the
                               Last-Event-ID header (as the EventSource polyfill's
                               lastEventIdQueryParameterName does)

Client profile (timeouts, reconnect delays, backoff, Last-Event-ID handling of a real client;
the options below override it; docs/profiles.md cites every number):
      --profile NAME           ${PROFILES.map((p) => p.id).join(', ')}

Timeouts and reconnection:
      --connect-timeout MS     end an attempt if response headers take longer (default: none)
      --idle-timeout MS        end an attempt after MS without any byte (default: none)
      --reconnect-delay MS     delay before reconnecting until the server sends retry: (default 3000)
      --max-reconnects N       stop after N reconnects (default: reconnect forever)
      --retry-http-errors      reconnect after non-200 statuses too (the spec stops)

Simulations (recorded in the timeline as fault-injected entries):
      --proxy-idle-timeout MS  cut the connection after MS without a byte from the server, as a
                               proxy's idle timeout does; every byte, a heartbeat included, resets it
      --max-connection-age MS  cut every connection MS after it was made, whatever flows
      --proxy-preset NAME      one of these with a vendor's documented default:
${PROXY_PRESETS.map((p) => `                                 ${p.id.padEnd(17)}${p.simulation === 'proxy-idle-timeout' ? 'idle' : 'max age'} ${p.ms / 1000} s (${p.setting})`).join('\n')}
      --latency MS             deliver each event MS late

Capture and output:
      --duration MS            stop after MS, write the capture and exit 0
  -o, --output FILE            write the capture file (JSON) while capturing; it is complete (valid
                               JSON under FILE) when the stream ends, on --duration, on Ctrl-C and
                               when stdout closes
      --max-file-bytes N       stop writing entries to FILE before it would pass N bytes (default
                               and maximum ${LIMITS.captureFileBytes / 1024 / 1024} MiB, what an import opens; at most
                               ${LIMITS.entriesPerConnection.toLocaleString('en')} entries); the stream goes on, the file says how many
                               entries were left out
      --lens auto|NAME         print what an LLM or MCP stream means instead of its event lines:
                               the answer as it streams (reasoning and refusals labelled apart),
                               tool calls once their arguments are complete, findings as they
                               appear, then a summary (stop reason, usage, time to first token,
                               duration, tokens/s, findings, MCP calls). NAME is one of
                               ${LENS_CHOICES.slice(1).join(', ')}.
                               auto decides after the first 3 events (or when the first attempt
                               ends); when no format is detected it says so and prints the
                               timeline as without --lens. Findings do not change the exit status.
                               With --json (even without --lens, when a format is detected),
                               the last line is the lens summary (docs/lenses.md)
      --json                   print each timeline entry as one JSON line instead of text
  -v, --verbose                also print request and response headers
      --color / --no-color     force or disable colours (default: on for a terminal, off with NO_COLOR)
  -h, --help                   show this help

Exit status: 0 when stopped by --duration, or when the server ended the stream or sent 204;
1 when the stream ended in a failure (HTTP error, wrong Content-Type, network error, timeout);
2 for bad arguments; 130 on Ctrl-C (the capture is still written); 141 when stdout closes (e.g.
piped into head: the capture stops and is written).

Example:
  sse-devtools demo &
  sse-devtools capture http://127.0.0.1:8787/events -H 'Authorization: Bearer demo-token' \\
    --idle-timeout 20000 --duration 10000 -o stream.capture.json
`;

function ms(name: string, raw: string | undefined): number | null {
  if (raw === undefined) return null;
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${name} takes a whole number of milliseconds, not "${raw}"`);
  return Number(raw);
}

function parseHeader(raw: string): HeaderPair {
  const colon = raw.indexOf(':');
  if (colon <= 0) throw new UsageError(`-H takes 'Name: value', not "${raw}"`);
  return [raw.slice(0, colon).trim(), raw.slice(colon + 1).trim()];
}

/**
 * A message that may quote the command line (a usage error), with the secrets the command line
 * carries masked: values of secret headers, also when mistyped (-H 'Authorization Bearer …'),
 * credentials after an auth scheme, credential query parameters and URL user info, whether or not
 * the argument parsed as what it was meant to be.
 */
export function maskArgSecrets(text: string, argv: readonly string[]): string {
  const secretNames = argv.flatMap((a, i) => (argv[i - 1] === '--secret-header' ? [a] : a.startsWith('--secret-header=') ? [a.slice('--secret-header='.length)] : []));
  const urls: string[] = [];
  const credentials: string[] = [];
  const values: string[] = [];
  for (const arg of argv) {
    for (const m of arg.matchAll(/[a-z][a-z0-9+.-]*:\/\/\S+/gi)) urls.push(m[0]);
    for (const m of arg.matchAll(/\b(?:Bearer|Basic|Digest|Token|Negotiate)\s+(\S+)/gi)) credentials.push(m[1]!);
    for (const m of arg.matchAll(/(?:^|[?&;\s])([^\s=&?;]+)=([^\s&#;]+)/g)) if (isSecretParam(m[1]!)) values.push(m[2]!);
    const header = /^(?:-H|--header=)?\s*([^\s:=]+)\s*[:=\s]\s*(\S[\s\S]*)$/.exec(arg);
    if (header && isSecretHeader(header[1]!, secretNames)) values.push(header[2]!.trim());
  }
  // Scheme credentials first, so "Bearer SECRET" reads "Bearer [redacted]": which scheme was sent is often the bug.
  // Every length counts here, unlike the engine's masker (which skips short values so it does not
  // mask common words in a stream): these were typed as secrets, and a usage error is short.
  let out = scrubText(text, urls);
  for (const secret of [...credentials, ...values].filter(Boolean)) out = out.split(secret).join(REDACTED);
  return out;
}

/** Every option capture takes: parsing, the help test and the typo suggestions read this. */
export const CAPTURE_OPTIONS = {
  header: { type: 'string', short: 'H', multiple: true },
  request: { type: 'string', short: 'X' },
  data: { type: 'string', short: 'd' },
  'secret-header': { type: 'string', multiple: true },
  'secret-body': { type: 'boolean' },
  'last-event-id': { type: 'string' },
  'last-event-id-param': { type: 'string' },
  'connect-timeout': { type: 'string' },
  'idle-timeout': { type: 'string' },
  'reconnect-delay': { type: 'string' },
  'max-reconnects': { type: 'string' },
  'retry-http-errors': { type: 'boolean' },
  profile: { type: 'string' },
  'proxy-idle-timeout': { type: 'string' },
  'max-connection-age': { type: 'string' },
  'proxy-preset': { type: 'string' },
  latency: { type: 'string' },
  duration: { type: 'string' },
  output: { type: 'string', short: 'o' },
  'max-file-bytes': { type: 'string' },
  json: { type: 'boolean' },
  lens: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpecs;

type CaptureValues = ReturnType<typeof parseOptions<typeof CAPTURE_OPTIONS>>['values'];

export function parseCaptureArgs(argv: string[]): CaptureArgs | 'help' {
  const { values, positionals } = parseOptions(argv, CAPTURE_OPTIONS);
  if (values.help) return 'help';
  if (positionals.length === 0) throw new UsageError('capture needs a URL, e.g. sse-devtools capture http://127.0.0.1:8787/events');
  if (positionals.length > 1) throw new UsageError(`capture takes one URL; also got ${positionals.slice(1).map((p) => `"${p}"`).join(', ')}`);
  return captureArgsFrom(values, positionals[0]!);
}

/** The connection and capture options, parsed by a command that takes them (capture, doctor) with options of its own besides. */
export function captureArgsFrom(values: CaptureValues, url: string): CaptureArgs {

  let config = defaultConfig(url);
  if (values.profile !== undefined) {
    const profile = profileById(values.profile);
    if (!profile) throw new UsageError(`unknown profile "${values.profile}"; one of ${PROFILES.map((p) => p.id).join(', ')}`);
    config = applyProfile(config, profile);
  }
  config.headers = (values.header ?? []).map(parseHeader);
  config.secretHeaders = values['secret-header'] ?? [];
  config.body = values.data ?? null;
  config.secretBody = values['secret-body'] === true && config.body !== null;
  config.method = (values.request ?? (config.body !== null ? 'POST' : 'GET')).toUpperCase();
  config.initialLastEventId = values['last-event-id'] ?? null;
  const param = values['last-event-id-param'];
  if (param !== undefined) config.lastEventIdTransport = { mode: 'query', param };
  config.connectTimeoutMs = ms('connect-timeout', values['connect-timeout']) ?? config.connectTimeoutMs;
  config.idleTimeoutMs = ms('idle-timeout', values['idle-timeout']) ?? config.idleTimeoutMs;
  const delay = ms('reconnect-delay', values['reconnect-delay']);
  if (delay !== null) {
    config.reconnect.initialDelayMs = delay;
    // Without backoff the delay is constant; with it, the cap must not fall below the start.
    config.reconnect.maxDelayMs = config.reconnect.backoffFactor > 1 ? Math.max(config.reconnect.maxDelayMs, delay) : delay;
  }
  const maxReconnects = values['max-reconnects'];
  if (maxReconnects !== undefined) {
    if (!/^\d+$/.test(maxReconnects)) throw new UsageError(`--max-reconnects takes a whole number, not "${maxReconnects}"`);
    config.reconnect.maxAttempts = Number(maxReconnects) + 1;
  }
  if (values['retry-http-errors']) config.reconnect.retryOnHttpError = true;
  const faults: Fault[] = [];
  const idle = ms('proxy-idle-timeout', values['proxy-idle-timeout']);
  if (idle !== null) faults.push({ kind: 'proxy-idle-timeout', ms: idle, firstByteMs: null, preset: null });
  const age = ms('max-connection-age', values['max-connection-age']);
  if (age !== null) faults.push({ kind: 'max-connection-age', ms: age, preset: null });
  const presetId = values['proxy-preset'];
  if (presetId !== undefined) {
    const preset = presetById(presetId);
    if (!preset) throw new UsageError(`unknown proxy preset "${presetId}"; one of ${PROXY_PRESETS.map((p) => p.id).join(', ')}`);
    // A preset's simulation replaces one of the same kind given by number.
    const fault = presetFault(preset);
    faults.splice(0, faults.length, ...faults.filter((f) => f.kind !== fault.kind), fault);
  }
  const latency = ms('latency', values.latency);
  if (latency !== null) faults.push({ kind: 'latency', ms: latency });

  const faultProblem = faults.map(validateFault).find((p) => p !== null);
  if (faultProblem) throw new UsageError(faultProblem);

  const rawMax = values['max-file-bytes'];
  let maxFileBytes: number | null = null;
  if (rawMax !== undefined) {
    if (!/^\d+$/.test(rawMax) || Number(rawMax) < 1 || Number(rawMax) > LIMITS.captureFileBytes) {
      throw new UsageError(`--max-file-bytes takes a whole number of bytes from 1 to ${LIMITS.captureFileBytes}, not "${rawMax}"`);
    }
    if (values.output === undefined) throw new UsageError('--max-file-bytes limits the capture file: give one with -o FILE');
    maxFileBytes = Number(rawMax);
  }

  let lens: LensChoice | null = null;
  if (values.lens !== undefined) {
    const named = values.lens === 'auto' ? 'auto' : lensByName(values.lens);
    if (named === null) throw new UsageError(`unknown lens "${values.lens}"; one of ${LENS_CHOICES.join(', ')}`);
    lens = named;
  }

  const errors = validateConfig(config);
  if (errors.length > 0) throw new UsageError(errors.map((e) => e.message).join('\n'));

  return {
    config,
    durationMs: ms('duration', values.duration),
    output: values.output ?? null,
    maxFileBytes,
    json: values.json ?? false,
    verbose: values.verbose ?? false,
    color: values['no-color'] ? false : (values.color ?? null),
    faults,
    lens,
  };
}
