/**
 * The stream's text, parsed once and the same way wherever it comes from: our own attempts
 * (attempt.ts, which decodes the bytes) and streams observed in a page (src/core/observe, whose
 * hook reports decoded text). eventsource-parser does the WHATWG parsing; this adds what the tool
 * needs around it: size bounds that keep every event storable, and skipped lines as rows.
 */
import { createParser, type EventSourceMessage, type ParseError } from 'eventsource-parser';
import { eventTooLarge, LIMITS } from '../limits.js';
import type { IgnoredLineEntry } from '../timeline.js';

/**
 * Hostile streams can send one endless line; past this the parser gives up rather than grow
 * without bound. It checks only at the end of each chunk, so every dispatched event is checked too
 * (onEvent): the buffer bound leaves room for a field name and line ending around the largest event.
 */
const MAX_BUFFER_CHARS = LIMITS.eventDataChars + 64;
const MAX_IGNORED_LINE_CHARS = 512;

export interface StreamHandlers {
  event(message: EventSourceMessage): void;
  /** A block's id, before the block's event if it has one (WHATWG: a block with an id and no data sets the last event ID anyway). */
  id(id: string): void;
  comment(text: string): void;
  retry(ms: number): void;
  ignored(why: IgnoredLineEntry['why'], line: string): void;
  /** Something past the tool's limits: the stream cannot be followed any further. */
  overflow(detail: string): void;
}

export interface StreamParser {
  feed(text: string): void;
}

export function createStreamParser(on: StreamHandlers): StreamParser {
  return createParser({
    onId: on.id,
    onEvent: (message) => {
      // Three length checks per event; what passes fits in a capture the tool can open again.
      if (message.data.length > LIMITS.eventDataChars || (message.id?.length ?? 0) > LIMITS.textChars || (message.event?.length ?? 0) > LIMITS.textChars) {
        on.overflow(eventTooLarge(message));
        return;
      }
      on.event(message);
    },
    onComment: (text) => {
      if (text.length > LIMITS.eventDataChars) {
        on.overflow(`a comment exceeded ${LIMITS.eventDataChars.toLocaleString('en-US')} characters`);
        return;
      }
      on.comment(text);
    },
    onRetry: on.retry,
    onError: (error: ParseError) => {
      if (error.type === 'max-buffer-size-exceeded') {
        // eventsource-parser 4 may see the overflow while the event is still being read, before onEvent.
        on.overflow(`an event exceeded ${LIMITS.eventDataChars.toLocaleString('en-US')} characters`);
        return;
      }
      const line = error.line ?? '';
      on.ignored(error.type === 'invalid-retry' ? 'invalid-retry' : 'unknown-field', line.length > MAX_IGNORED_LINE_CHARS ? `${line.slice(0, MAX_IGNORED_LINE_CHARS)}…` : line);
    },
    maxBufferSize: MAX_BUFFER_CHARS,
  });
}
