/**
 * Validation of capture files, which are untrusted input: someone else's file may be truncated,
 * hand-edited, enormous or hostile. Types, required fields and sizes are checked here, and every
 * problem is reported with the path to the offending value. The JSON Schema in docs/ is generated
 * from these definitions (src/tooling/write-json-schema.ts), so the two cannot drift apart.
 */
import * as z from 'zod';
import { HTTP_TOKEN } from '../config.js';
import { count as formatCount, LIMITS, MAX_SPAN_MS, mib } from '../limits.js';
import { END_REASONS, FRAMING_TRAPS, HEADER_SOURCES, type TimelineEntry } from '../timeline.js';
import { CAPTURE_FORMAT, CAPTURE_VERSION, type CaptureFile } from './format.js';

// Extension pages forbid eval; zod would otherwise probe for it with `new Function`.
z.config({ jitless: true });

const text = z.string().max(LIMITS.textChars);
const url = z.string().max(LIMITS.urlChars);
const data = z.string().max(LIMITS.eventDataChars);
/** Methods end up in requests and in Copy as code's snippets: only an RFC 9110 token is a method. */
const method = z.string().max(16).regex(HTTP_TOKEN, "not an HTTP method (a token of letters, digits and !#$%&'*+-.^_`|~)");
const count = z.number().int().nonnegative();
const ms = z.number().finite().nonnegative();
/** How long something took: bounded by the time range, so nothing derived from it can overflow. */
const duration = ms.max(MAX_SPAN_MS, `must be a duration of at most ${formatCount(MAX_SPAN_MS)} ms (200 years)`);
const TIME_RANGE = `must be a time between ${new Date(LIMITS.timeMin).toISOString().slice(0, 10)} and ${new Date(LIMITS.timeMax).toISOString().slice(0, 10)} (epoch milliseconds)`;
// A time far out makes whole-second arithmetic stop advancing (2^53) and Date unable to show it.
const epochMs = z.number().finite().min(LIMITS.timeMin, TIME_RANGE).max(LIMITS.timeMax, TIME_RANGE);
const headers = z.array(z.tuple([text, text])).max(LIMITS.headers);
const lastEventIdVia = z.enum(['header', 'query', 'none']);
const endReason = z.enum(END_REASONS);

const status = z.number().int().min(0).max(999);
const responseFields = { status, statusText: text, url, redirected: z.boolean(), headers, timeToHeadersMs: duration };
/** A failed response's body: the engine keeps at most LIMITS.failureBodyBytes, so a file may hold no more. */
const responseBody = z.object({
  contentType: text.nullable(),
  text: z.string().max(LIMITS.failureBodyBytes),
  bytes: count.max(LIMITS.failureBodyBytes),
  totalBytes: count.nullable(),
  cut: z.enum(['size', 'deadline']).nullable(),
});
/** One note per trap at most, so no more than there are traps. */
const framing = z.array(z.object({ trap: z.enum(FRAMING_TRAPS), detail: text })).max(FRAMING_TRAPS.length).optional();
const endFields = { reason: endReason, status: status.nullable(), detail: text, durationMs: duration, bytes: count, events: count, body: responseBody.optional(), framing };

const base = {
  connectionId: text,
  attempt: count,
  seq: count,
  time: epochMs,
};

const entrySchema: z.ZodType<TimelineEntry> = z.discriminatedUnion('kind', [
  z.object({ ...base, kind: z.literal('attempt-started'), method, url, headers, lastEventId: text.nullable(), lastEventIdVia, body: text.optional() }),
  z.object({
    ...base,
    kind: z.literal('request-sent'),
    observed: z.boolean(),
    headers: z.array(z.tuple([text, text, z.enum(HEADER_SOURCES)])).max(LIMITS.headers),
    dropped: headers,
    detail: text,
  }),
  z.object({ ...base, kind: z.literal('response'), ...responseFields }),
  z.object({
    ...base,
    kind: z.literal('event'),
    type: text,
    id: text.nullable(),
    lastEventId: text,
    data,
    size: count,
    read: count.optional(),
    framing,
  }),
  z.object({ ...base, kind: z.literal('comment'), text: data }),
  z.object({ ...base, kind: z.literal('retry-changed'), delayMs: ms }),
  z.object({ ...base, kind: z.literal('ignored-line'), why: z.enum(['unknown-field', 'invalid-retry']), line: text }),
  z.object({ ...base, kind: z.literal('attempt-ended'), ...endFields }),
  z.object({ ...base, kind: z.literal('reconnect-scheduled'), delayMs: ms.nullable(), why: text, nextAttempt: count, lastEventId: text.nullable() }),
  z.object({ ...base, kind: z.literal('stopped'), why: text }),
  z.object({ ...base, kind: z.literal('fault-injected'), fault: text, detail: text }),
  z.object({ ...base, kind: z.literal('worker-restarted'), detail: text }),
  z.object({ ...base, kind: z.literal('reading-paused'), durationMs: ms, detail: text }),
  z.object({ ...base, kind: z.literal('entries-dropped'), count, detail: text }),
]);

const nullableMs = ms.nullable();
const configSchema = z.object({
  url,
  method,
  headers,
  body: data.nullable(),
  secretBody: z.boolean().default(false),
  secretHeaders: z.array(text).max(LIMITS.headers),
  initialLastEventId: text.nullable(),
  lastEventIdTransport: z.discriminatedUnion('mode', [
    z.object({ mode: z.literal('header') }),
    z.object({ mode: z.literal('query'), param: text }),
  ]),
  connectTimeoutMs: nullableMs,
  idleTimeoutMs: nullableMs,
  reconnect: z.object({
    initialDelayMs: ms,
    backoffFactor: z.number().finite().min(1),
    maxDelayMs: ms,
    jitter: z.number().min(0).max(1),
    backoffResetAfterMs: nullableMs,
    maxAttempts: count.min(1).nullable(),
    retryOnHttpError: z.boolean(),
    retryOnNoContent: z.boolean().optional(),
    maxDelayMultiple: z.number().finite().min(1).nullable().optional(),
    backoffStartsDoubled: z.boolean().optional(),
  }),
  profile: text.nullable().default(null),
  sendBrowserCookies: z.boolean().default(false),
});

const attemptSchema = z.object({
  attempt: count,
  startedAt: epochMs,
  method,
  url,
  requestHeaders: headers,
  lastEventId: text.nullable(),
  lastEventIdVia,
  response: z.object(responseFields).nullable(),
  end: z.object({ at: epochMs, ...endFields }).nullable(),
});

export const captureSchema: z.ZodType<CaptureFile> = z.object({
  format: z.literal(CAPTURE_FORMAT),
  version: z.literal(CAPTURE_VERSION),
  tool: z.object({ name: text, version: text }),
  createdAt: text,
  redactions: z.array(z.object({ where: text, what: text })).max(LIMITS.redactions),
  connections: z
    .array(
      z.object({
        id: text,
        config: configSchema,
        attempts: z.array(attemptSchema).max(LIMITS.entriesPerConnection),
        entries: z.array(entrySchema).max(LIMITS.entriesPerConnection),
        observed: z
          .object({ api: z.enum(['fetch', 'xhr', 'eventsource']), mode: z.enum(['hook', 'complete']), tabId: count, pageUrl: url, frameUrl: url, withCredentials: z.boolean() })
          .optional(),
        // Any bounded string: a name this version does not know is ignored where it is read, not a reason to refuse the file.
        lens: z.string().max(100).optional(),
      }),
    )
    .max(LIMITS.connectionsPerFile),
});

export type CaptureResult = { ok: true; capture: CaptureFile } | { ok: false; errors: string[] };

const MAX_REPORTED = 20;

/** Parses and validates the text of a capture file. Never throws; never returns a partly valid capture. */
export function parseCapture(textIn: string): CaptureResult {
  const json = parseJson(textIn);
  return 'errors' in json ? json : validateCapture(json.value);
}

/** The size and syntax checks every file goes through before its content is looked at. */
export function parseJson(textIn: string): { value: unknown } | { ok: false; errors: string[] } {
  // Characters, not bytes, but never more than the bytes: a file over the limit in bytes was refused before reading.
  if (textIn.length > LIMITS.captureFileBytes) {
    return { ok: false, errors: [`The file is larger than the ${mib(LIMITS.captureFileBytes)} limit for captures`] };
  }
  try {
    return { value: JSON.parse(textIn) as unknown };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { ok: false, errors: [`Not valid JSON (${reason}); the file may be truncated or not a capture`] };
  }
}

export function validateCapture(json: unknown): CaptureResult {
  const header = checkHeader(json);
  if (header) return { ok: false, errors: [header] };
  const budget = checkBudget(json as { connections?: unknown });
  if (budget) return { ok: false, errors: [budget] };
  const result = captureSchema.safeParse(json);
  if (!result.success) {
    const errors = result.error.issues.slice(0, MAX_REPORTED).map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
    if (result.error.issues.length > MAX_REPORTED) errors.push(`… and ${result.error.issues.length - MAX_REPORTED} more problems`);
    return { ok: false, errors };
  }
  const order = checkOrder(result.data);
  if (order.length > 0) return { ok: false, errors: order };
  return { ok: true, capture: result.data };
}

/** Says what the file is before listing field errors: a wrong format or version makes the rest meaningless. */
function checkHeader(json: unknown): string | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'A capture must be a JSON object';
  const { format, version } = json as { format?: unknown; version?: unknown };
  if (format !== CAPTURE_FORMAT) return `Not an SSE DevTools capture: "format" is ${JSON.stringify(format)?.slice(0, 80) ?? 'missing'}, expected "${CAPTURE_FORMAT}"`;
  if (version !== CAPTURE_VERSION) {
    return typeof version === 'number' && version > CAPTURE_VERSION
      ? `Capture version ${version} is newer than this tool understands (version ${CAPTURE_VERSION}); update SSE DevTools`
      : `Unknown capture version ${JSON.stringify(version)?.slice(0, 40) ?? 'missing'}; expected ${CAPTURE_VERSION}`;
  }
  return null;
}

/**
 * The whole file's entry count, before any entry is validated (validation copies every entry): a
 * file of many connections each under their own limit can still be too much to hold.
 */
function checkBudget(json: { connections?: unknown }): string | null {
  const { connections } = json;
  if (!Array.isArray(connections)) return null;
  let total = 0;
  // One more than allowed is enough to know; the schema refuses the count itself.
  for (const c of connections.slice(0, LIMITS.connectionsPerFile + 1)) {
    const entries = (c as { entries?: unknown } | null)?.entries;
    if (Array.isArray(entries)) total += entries.length;
  }
  if (total <= LIMITS.entriesPerFile) return null;
  return `The file holds ${formatCount(total)} entries in all; SSE DevTools opens at most ${formatCount(LIMITS.entriesPerFile)} entries per file. Export fewer connections or a shorter time range.`;
}

/** What a schema cannot say: entries belong to their connection and their sequence numbers only grow. */
function checkOrder(capture: CaptureFile): string[] {
  const errors: string[] = [];
  const ids = new Set<string>();
  capture.connections.forEach((c, i) => {
    if (ids.has(c.id)) errors.push(`connections[${i}].id: duplicate connection id "${c.id}"`);
    ids.add(c.id);
    let prev = -1;
    for (let j = 0; j < c.entries.length && errors.length < MAX_REPORTED; j++) {
      const e = c.entries[j]!;
      if (e.connectionId !== c.id) errors.push(`connections[${i}].entries[${j}].connectionId: "${e.connectionId}" is not this connection ("${c.id}")`);
      if (e.seq <= prev) errors.push(`connections[${i}].entries[${j}].seq: ${e.seq} does not follow ${prev}; entries must be in order`);
      prev = e.seq;
    }
  });
  return errors;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(the whole file)';
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}
