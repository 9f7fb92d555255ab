/** Reading a capture or HAR file the user picked or dropped, with the size limit checked first. */
import { loadCaptureText } from '../core/capture/load.js';
import type { CaptureResult } from '../core/capture/schema.js';
import { LIMITS, mib } from '../core/limits.js';
import { TOOL_VERSION } from '../core/version.js';

export async function readCaptureFile(file: File): Promise<CaptureResult> {
  if (file.size > LIMITS.captureFileBytes) {
    return { ok: false, errors: [`${file.name} is ${mib(file.size)}; captures are limited to ${mib(LIMITS.captureFileBytes)}`] };
  }
  return loadCaptureText(await file.text(), TOOL_VERSION);
}

/** The viewer is one HTML file: its build inlines the worker's code here. Absent in the extension. */
declare const __SSE_IMPORT_WORKER_SOURCE__: string | undefined;

function startWorker(): Worker {
  if (typeof __SSE_IMPORT_WORKER_SOURCE__ === 'string') {
    const url = URL.createObjectURL(new Blob([__SSE_IMPORT_WORKER_SOURCE__], { type: 'text/javascript' }));
    try {
      return new Worker(url);
    } finally {
      // The worker has fetched its script by the time it runs; revoking later keeps no blob alive.
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    }
  }
  return new Worker('import-worker.js', { type: 'module' });
}

/** Opens the file in a dedicated worker (src/ui/import-worker.ts); on this page only where workers cannot start. */
export function openCaptureFile(file: File): Promise<CaptureResult> {
  let worker: Worker;
  try {
    worker = startWorker();
  } catch {
    return readCaptureFile(file);
  }
  return new Promise<CaptureResult>((resolve) => {
    worker.onmessage = (e: MessageEvent<CaptureResult>) => {
      worker.terminate();
      resolve(e.data);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      worker.terminate();
      resolve({ ok: false, errors: [`Opening ${file.name} failed: ${e.message || 'the import stopped (out of memory?)'}`] });
    };
    worker.postMessage(file);
  });
}
