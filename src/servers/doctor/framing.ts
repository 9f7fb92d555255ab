/**
 * The framing traps: streams the spec allows (or forgives) that some clients parse differently,
 * each written as a server would, each piece its own network read.
 */
import type { FramingTrap } from '../../core/timeline.js';
import type { DoctorStreamSpec } from './spec.js';
import { pieces } from './script.js';

const TRAP_PIECES: Record<FramingTrap, { does: string; pieces: (after: number) => readonly (string | Uint8Array)[] }> = {
  'cr-only': { does: 'lines end with CR alone', pieces: (n) => [`id: ${n + 1}\rdata: one\r\r`, `id: ${n + 2}\rdata: two\r\r`] },
  bom: { does: 'a byte order mark (EF BB BF) before the first line', pieces: (n) => [Buffer.from([0xef, 0xbb, 0xbf]), `id: ${n + 1}\ndata: one\n\n`, `id: ${n + 2}\ndata: two\n\n`] },
  'no-space': { does: '"data:one": no space after the colons', pieces: (n) => [`id:${n + 1}\ndata:one\n\n`, `id:${n + 2}\ndata:two\n\n`] },
  'multi-line-json': { does: 'one JSON object split over two data: lines', pieces: (n) => [`id: ${n + 1}\ndata: {"a":\ndata: 1}\n\n`, `id: ${n + 2}\ndata: {"b":2}\n\n`] },
  'unterminated-final-event': { does: 'the last event has no blank line before the stream ends: every client drops it', pieces: (n) => [`id: ${n + 1}\ndata: one\n\n`, `id: ${n + 2}\ndata: {"done":true}\n`] },
  'nul-in-id': { does: 'an id: with a NUL character in it', pieces: (n) => [`id: ${n + 1}\ndata: one\n\n`, 'id: bad\u0000id\ndata: two\n\n'] },
  'long-line': { does: 'a data: line of 70,000 characters', pieces: (n) => [`id: ${n + 1}\ndata: one\n\n`, `id: ${n + 2}\ndata: ${'z'.repeat(70_000)}\n\n`] },
};

export const FRAMING_STREAMS: readonly DoctorStreamSpec[] = (Object.keys(TRAP_PIECES) as FramingTrap[]).map((trap) => ({
  name: trap,
  does: TRAP_PIECES[trap].does,
  codes: [`framing-${trap}`],
  watchMs: 6000,
  script: pieces(TRAP_PIECES[trap].pieces),
}));
