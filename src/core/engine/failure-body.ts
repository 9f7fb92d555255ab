/**
 * Reads the body of a response that will not be read as a stream (a 401's JSON, the HTML login
 * page a proxy served instead, a 500's message): what a developer needs to see why it failed. The
 * server is untrusted, so the read is bounded in bytes and in time, and stops when the attempt does.
 */
import { LIMITS } from '../limits.js';
import type { ResponseBody } from '../timeline.js';
import type { EngineDeps } from './deps.js';

export async function readFailureBody(
  response: Pick<Response, 'body' | 'headers'>,
  signal: AbortSignal,
  deps: Pick<EngineDeps, 'setTimeout' | 'clearTimeout'>,
): Promise<ResponseBody | null> {
  if (!response.body) return null;
  const reader = response.body.getReader();
  const decoder = new TextDecoder('utf-8');
  let text = '';
  let bytes = 0;
  let cut: ResponseBody['cut'] = null;
  // One promise for the deadline and the attempt's end: a pending read races it, never waits past it.
  let timer: unknown = null;
  let onAbort = (): void => {};
  const stop = new Promise<'deadline' | 'aborted'>((resolve) => {
    timer = deps.setTimeout(() => resolve('deadline'), LIMITS.failureBodyMs);
    signal.addEventListener('abort', (onAbort = () => resolve('aborted')), { once: true });
  });
  try {
    while (!signal.aborted) {
      const next = await Promise.race([reader.read(), stop]);
      if (next === 'aborted') break;
      if (next === 'deadline') {
        cut = 'deadline';
        break;
      }
      if (next.done) break;
      const chunk = next.value;
      const room = LIMITS.failureBodyBytes - bytes;
      const kept = chunk.byteLength > room ? chunk.subarray(0, room) : chunk;
      bytes += kept.byteLength;
      // Streaming decode: a character split by the cut is dropped rather than shown as U+FFFD.
      text += decoder.decode(kept, { stream: true });
      if (kept !== chunk || bytes === LIMITS.failureBodyBytes) {
        cut = 'size';
        break;
      }
    }
  } catch {
    // The connection failed mid-body: what arrived is still worth showing.
  } finally {
    deps.clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    void reader.cancel().catch(() => {});
  }
  if (bytes === 0) return null;
  const length = Number(response.headers.get('content-length'));
  const totalBytes = response.headers.has('content-length') && Number.isSafeInteger(length) && length >= bytes ? length : null;
  // A body of exactly the limit was read whole.
  if (cut === 'size' && totalBytes === bytes) cut = null;
  if (cut === null) text += decoder.decode();
  return { contentType: response.headers.get('content-type'), text, bytes, totalBytes, cut };
}
