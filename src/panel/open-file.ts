/** Reading a capture or HAR file the user picked or dropped, with the size limit checked first. */
import { loadCaptureText } from '../core/capture/load.js';
import { CAPTURE_LIMITS, type CaptureResult } from '../core/capture/schema.js';
import { TOOL_VERSION } from '../core/version.js';

export async function readCaptureFile(file: File): Promise<CaptureResult> {
  if (file.size > CAPTURE_LIMITS.fileBytes) {
    return { ok: false, errors: [`${file.name} is ${(file.size / 1024 / 1024).toFixed(0)} MiB; captures are limited to ${CAPTURE_LIMITS.fileBytes / 1024 / 1024} MiB`] };
  }
  return loadCaptureText(await file.text(), TOOL_VERSION);
}
