/** Chromium's own URL length limit: no URL a browser used is longer, so a longer string is not worth parsing. */
const MAX_URL_LENGTH = 2 * 1024 * 1024;

/** An URL's origin, or null where there is none to compare (an opaque origin such as data:, not a URL, longer than any browser allows). */
export function originOf(url: unknown): string | null {
  if (typeof url !== 'string' || url.length > MAX_URL_LENGTH) return null;
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}
