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
