/**
 * The way out: a capture is written only if the importer would open it again. The same validator
 * and the same limits (src/core/limits.ts) as on the way in, plus the file's size in bytes.
 */
import { count, LIMITS, mib } from '../limits.js';
import { utf8ByteLength } from '../utf8.js';
import { serializeCapture, type CaptureFile } from './format.js';
import { validateCapture } from './schema.js';

export type WriteResult = { ok: true; text: string } | { ok: false; errors: string[] };

const WONT_OPEN = 'SSE DevTools could not open it again';

export function serializeForWriting(capture: CaptureFile): WriteResult {
  const checked = validateCapture(capture);
  if (!checked.ok) return { ok: false, errors: [`Not written: ${WONT_OPEN}:`, ...checked.errors] };
  const text = serializeCapture(capture);
  const bytes = utf8ByteLength(text);
  if (bytes > LIMITS.captureFileBytes) {
    const entries = capture.connections.reduce((n, c) => n + c.entries.length, 0);
    return { ok: false, errors: [`Not written: the file would be ${mib(bytes)} (${count(entries)} entries) and ${WONT_OPEN}: captures are limited to ${mib(LIMITS.captureFileBytes)}. Export fewer connections, channels or a shorter time range.`] };
  }
  return { ok: true, text };
}
