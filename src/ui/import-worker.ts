/**
 * Opens a capture or HAR file in a dedicated Worker started by the panel or the viewer: the file's
 * text, its parsed JSON and the validator's copies live and die in this worker's heap, so the page
 * only ever holds a validated capture, stays responsive while a large file converts, and the
 * background (the service worker, which holds the live connections) never sees the file at all.
 * What bounds memory is the budget checked while converting (src/core/limits.ts).
 */
import { readCaptureFile } from './open-file.js';

interface WorkerScope {
  onmessage: ((e: MessageEvent<File>) => void) | null;
  postMessage(message: unknown): void;
  close(): void;
}

const scope = globalThis as unknown as WorkerScope;
scope.onmessage = (e) => {
  void readCaptureFile(e.data)
    .catch((err: unknown) => ({ ok: false as const, errors: [`The file could not be read: ${err instanceof Error ? err.message : String(err)}`] }))
    .then((result) => {
      scope.postMessage(result);
      scope.close();
    });
};
