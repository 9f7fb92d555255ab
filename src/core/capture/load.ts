/** Opening a file someone handed you: a capture or a HAR, refused whole with a reason if bad. */
import { harToCapture, isHar } from './har.js';
import { parseJson, type CaptureResult, validateCapture } from './schema.js';

export function loadCaptureText(text: string, toolVersion: string): CaptureResult {
  const json = parseJson(text);
  if ('errors' in json) return json;
  return isHar(json.value) ? harToCapture(json.value, toolVersion) : validateCapture(json.value);
}
