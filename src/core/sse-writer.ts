/**
 * Writing Server-Sent Events: the one place our servers (replay, demo) turn values into stream
 * text. Values come from capture files and query strings, so none of them may end its own field:
 * a CR, LF or CRLF inside would start a field the value's author chose (`data: INJECTED`, `retry:`,
 * a second `id:`). See the WHATWG HTML "Server-sent events" section, "Interpreting an event stream".
 *
 * - data is split into one `data:` line per line, on every CR, LF and CRLF (the parser joins them
 *   with LF, so a client sees the text with LF line breaks);
 * - a comment is split into one `:` line per line;
 * - an id or event type with a CR or LF is refused (SseValueError): the stream cannot carry it, and
 *   quietly changing it would replay something the server never sent;
 * - retry must be a whole number of milliseconds, the only form clients accept.
 */

class SseValueError extends Error {
  override name = 'SseValueError';
}

const LINE_BREAK = /\r\n|\r|\n/;

/** Why `value` cannot be written as this field, or null when it can. */
export function sseFieldProblem(field: 'id' | 'event type', value: string): string | null {
  return /[\r\n]/.test(value) ? `the ${field} contains a line break, which an SSE stream cannot carry` : null;
}

export interface SseEventFields {
  /** null or absent: no `id:` line; '' resets the client's last event ID. */
  id?: string | null;
  /** null, absent or 'message': no `event:` line (clients default to message). */
  type?: string | null;
  data: string;
}

export function sseEvent(e: SseEventFields): string {
  let out = '';
  if (e.id !== undefined && e.id !== null) {
    const problem = sseFieldProblem('id', e.id);
    if (problem) throw new SseValueError(problem);
    out += e.id === '' ? 'id\n' : `id: ${e.id}\n`;
  }
  if (e.type !== undefined && e.type !== null && e.type !== 'message') {
    const problem = sseFieldProblem('event type', e.type);
    if (problem) throw new SseValueError(problem);
    out += `event: ${e.type}\n`;
  }
  // One leading space is always written, so a value that starts with a space keeps it.
  for (const line of e.data.split(LINE_BREAK)) out += `data: ${line}\n`;
  return `${out}\n`;
}

export function sseComment(text: string): string {
  let out = '';
  for (const line of text.split(LINE_BREAK)) out += `: ${line}\n`;
  return out;
}

export function sseRetry(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0) throw new SseValueError(`retry must be a whole number of milliseconds, not ${ms}`);
  return `retry: ${ms}\n`;
}
