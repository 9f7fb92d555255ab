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
