/**
 * UTF-8 byte length of a string, on the hot path: every event is sized. A JavaScript loop over
 * the characters halved the engine's throughput on 2 KB events and was slower on 100-byte ones
 * too; the native encoder writing into one reused scratch buffer costs about a memcpy
 * (bench/engine.ts shows both).
 */
const encoder = new TextEncoder();
let scratch = new Uint8Array(64 * 1024);

export function utf8Length(text: string): number {
  // At most 3 bytes per UTF-16 code unit.
  if (text.length * 3 > scratch.length) scratch = new Uint8Array(Math.max(text.length * 3, scratch.length * 2));
  return encoder.encodeInto(text, scratch).written;
}

const CHUNK = 1024 * 1024;

/**
 * UTF-8 bytes of a text of any size (a whole capture file) without an encoding of it all: chunks
 * through one small buffer, never splitting a surrogate pair (each half alone would count 3 bytes).
 */
export function utf8ByteLength(text: string): number {
  const buffer = new Uint8Array(CHUNK * 3);
  let bytes = 0;
  for (let i = 0; i < text.length; ) {
    let end = Math.min(text.length, i + CHUNK);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    bytes += encoder.encodeInto(text.slice(i, end), buffer).written;
    i = end;
  }
  return bytes;
}
