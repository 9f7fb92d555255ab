/**
 * `capture --lens`: what an LLM or MCP stream means, printed as it streams instead of its event
 * lines. Text is appended as its deltas arrive, reasoning and refusals under their own label, a tool
 * call once its arguments are complete, findings as they appear; at the end a summary. Everything
 * here comes from the stream: every string is made terminal-safe (safeText) before it is printed.
 */
import { formatDuration, safeText, type Style } from '../core/describe.js';
import { tokensPerSecond } from '../core/lenses/assembly.js';
import { LENS_NAMES, type Lens, type LensFold, type LensPart, type LensSummary } from '../core/lenses/lens.js';
import { detectLens } from '../core/lenses/registry.js';
import type { TimelineEntry } from '../core/timeline.js';

export type LensChoice = 'auto' | Lens;

/** The names `--lens` takes: the usage error lists them. */
export const LENS_CHOICES: readonly string[] = ['auto', ...LENS_NAMES];

/** `auto` decides once this many events arrived (or the first attempt ended): the URL alone is a guess. */
const DETECT_EVENTS = 3;

/** How a lens was picked, for the summary and `--json`. */
type Picked = 'named' | 'detected';

/** `capture --json`'s last line: the lens's summary, or null when `auto` found no format. */
export interface LensJson {
  lensSummary: { title: string; picked: Picked; tokensPerSecond: number | null; summary: LensSummary } | null;
}

export interface LensView {
  /**
   * Feeds an entry; returns the lines and text to print for it, in order. An event's own timeline
   * line is not printed when a lens reads it (`timeline: false`).
   */
  add(entry: TimelineEntry): { text: string; timeline: TimelineEntry[] };
  /** What to print when the stream ended: the summary (and any text still on its line ended). */
  finish(): string;
  json(): LensJson;
}

const MAX_HELD = 200;
const CONTINUED = '  ';

export function createLensView(choice: LensChoice, s: Style): LensView {
  let lens: Lens | null = choice === 'auto' ? null : choice;
  let picked: Picked = 'named';
  let fold: LensFold | null = lens === null ? null : lens.create();
  /** `auto`, before it decided: the entries so far, replayed into the lens once it is known. */
  let held: TimelineEntry[] | null = choice === 'auto' ? [] : null;
  let heldEvents = 0;
  let undecided = false;

  // What was printed of the summary so far.
  const printedChars = new Map<string, number>();
  const printedTools = new Set<string>();
  const printedCalls = new Set<number>();
  let printedFindings = 0;
  /** The part whose text the current terminal line continues; null at the start of a line. */
  let inline: string | null = null;

  const endLine = (): string => {
    if (inline === null) return '';
    inline = null;
    return '\n';
  };

  const label = (p: LensPart): string => {
    const kind = p.kind === 'text' ? '' : ` · ${p.kind}`;
    return s.dim(`[${safeText(p.key)}${kind}]`);
  };

  function toolLine(p: LensPart): string {
    const tool = p.tool;
    if (tool === null) return '';
    const args = tool.parsed?.ok === true ? JSON.stringify(tool.parsed.value) : tool.arguments;
    const broken = tool.parsed?.ok === false ? s.red(` (not valid JSON: ${safeText(tool.parsed.error)})`) : '';
    return `${s.cyan('⚙ tool')} ${s.bold(safeText(tool.name ?? '?'))}${tool.id === null ? '' : s.dim(` (${safeText(tool.id)})`)} ${safeText(args)}${broken}\n`;
  }

  function findingLine(f: LensSummary['findings'][number]): string {
    const tone = f.severity === 'error' ? s.red : f.severity === 'warning' ? s.yellow : s.dim;
    const where = f.seq === null ? '' : s.dim(` (#${f.seq}${f.connectionId === null ? '' : ` on ${safeText(f.connectionId)}`})`);
    return `${tone(`! ${f.severity} ${safeText(f.code)}`)}: ${safeText(f.message)}${where}\n`;
  }

  function callLine(c: LensSummary['calls'][number]): string {
    const latency = c.latencyMs === null ? '' : ` ${formatDuration(c.latencyMs)}`;
    const tone = c.outcome === 'error' ? s.red : s.green;
    return `${s.cyan('↔')} ${safeText(c.method)} ${s.dim(`(id ${safeText(c.id)})`)}${latency} ${tone(c.outcome)}${c.summary === '' ? '' : `: ${safeText(c.summary)}`}\n`;
  }

  /** What changed in the summary since the last call, as terminal text. */
  function delta(): string {
    if (fold === null) return '';
    const sum = fold.summary();
    let out = '';
    for (const m of sum.messages) {
      for (const p of m.parts) {
        if (p.tool !== null) {
          // A tool call is printed once, when its arguments are complete (or the stream cut them).
          if (p.tool.parsed !== null && !printedTools.has(p.key)) {
            printedTools.add(p.key);
            out += endLine() + toolLine(p);
          }
          continue;
        }
        const done = printedChars.get(p.key) ?? 0;
        if (p.text.length <= done) continue;
        const piece = p.text.slice(done);
        printedChars.set(p.key, p.text.length);
        if (inline !== p.key) out += `${endLine()}${label(p)} `;
        // Line breaks of the answer are kept, each continued line indented so stream text cannot pose
        // as a line of the tool's own; everything else a terminal would act on is escaped.
        out += piece.split('\n').map(safeText).join(`\n${CONTINUED}`);
        inline = p.key;
      }
    }
    for (let i = 0; i < sum.calls.length; i++) {
      const c = sum.calls[i];
      if (c === undefined || c.outcome === 'pending' || printedCalls.has(i)) continue;
      printedCalls.add(i);
      out += endLine() + callLine(c);
    }
    for (; printedFindings < sum.findings.length; printedFindings++) {
      const f = sum.findings[printedFindings];
      if (f !== undefined) out += endLine() + findingLine(f);
    }
    return out;
  }

  function decide(force: boolean): { text: string; timeline: TimelineEntry[] } {
    const entries = held ?? [];
    if (!force && heldEvents < DETECT_EVENTS) return { text: '', timeline: [] };
    held = null;
    lens = detectLens(entries);
    if (lens === null) {
      undecided = true;
      const note = s.dim(`lens: no known format detected in the first ${heldEvents} events; the timeline is printed as without --lens\n`);
      return { text: note, timeline: entries.filter((e) => e.kind === 'event') };
    }
    picked = 'detected';
    fold = lens.create();
    for (const e of entries) fold.add(e);
    return { text: `${s.dim(`lens: ${safeText(lens.title)} (${lens.name}), detected`)}\n${delta()}`, timeline: [] };
  }

  return {
    add(entry) {
      if (held !== null) {
        held.push(entry);
        if (entry.kind === 'event') heldEvents++;
        // Lines of other entries are printed at once; events wait for the decision (with no lens
        // found they follow, so a comment among the first events may print before them).
        const decided = decide(held.length >= MAX_HELD || entry.kind === 'attempt-ended' || entry.kind === 'stopped');
        if (entry.kind === 'event') return decided;
        return { text: decided.text + endLine(), timeline: [...decided.timeline, entry] };
      }
      if (fold === null || undecided) return { text: '', timeline: [entry] };
      fold.add(entry);
      const text = delta();
      if (entry.kind === 'event') return { text, timeline: [] };
      return { text: text + endLine(), timeline: [entry] };
    },
    finish() {
      let out = '';
      if (held !== null) out += decide(true).text;
      out += delta() + endLine();
      if (fold === null || lens === null) return out;
      const sum = fold.summary();
      const lines: string[] = [s.bold(`── ${lens.title} (${lens.name}, ${picked}) ──`)];
      const stops = sum.messages.filter((m) => m.stopReason !== null).map((m) => `${safeText(m.stopReason ?? '')}${sum.messages.length > 1 ? s.dim(` (${safeText(m.key)})`) : ''}`);
      lines.push(`stop reason: ${stops.length === 0 ? s.dim('none') : stops.join(', ')}`);
      lines.push(`terminal event: ${sum.terminal ? s.green('seen') : s.red('missing')}`);
      if (sum.usage !== null) {
        const u = sum.usage;
        const other = u.other.length === 0 ? '' : s.dim(` (${u.other.map(([k, v]) => `${safeText(k)} ${v}`).join(', ')})`);
        const figures = ([['input', u.inputTokens], ['output', u.outputTokens], ['total', u.totalTokens]] as const).filter(([, n]) => n !== null).map(([k, n]) => `${k} ${n}`);
        lines.push(`usage: ${figures.join(', ') || s.dim('no token counts')}${other}`);
      }
      const { startedAt, firstTokenAt, endedAt } = sum.timing;
      const timing: string[] = [];
      if (startedAt !== null && firstTokenAt !== null) timing.push(`${sum.lens === 'mcp' ? 'first response' : 'time to first token'} ${formatDuration(firstTokenAt - startedAt)}`);
      if (startedAt !== null && endedAt !== null) timing.push(`duration ${formatDuration(endedAt - startedAt)}`);
      const tps = tokensPerSecond(sum);
      if (tps !== null) timing.push(`${tps.toFixed(1)} tokens/s`);
      if (timing.length > 0) lines.push(timing.join(' · '));
      lines.push(`findings: ${sum.findings.length === 0 ? s.green('none') : sum.findings.length}`);
      for (const f of sum.findings) lines.push(`  ${findingLine(f).trimEnd()}`);
      if (sum.calls.length > 0) {
        lines.push('calls:');
        const rows = sum.calls.map((c) => [safeText(c.method), safeText(c.id), c.latencyMs === null ? '-' : formatDuration(c.latencyMs), c.outcome, safeText(c.summary.length > 80 ? `${c.summary.slice(0, 80)}…` : c.summary)]);
        const head = ['method', 'id', 'latency', 'outcome', 'result'];
        const widths = head.map((h, i) => Math.min(40, Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0))));
        const row = (r: string[]): string => `  ${r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')}`;
        lines.push(s.dim(row(head)), ...rows.map(row));
      }
      if (sum.unread > 0) lines.push(s.dim(`${sum.unread} events the lens could not place`));
      return `${out}${lines.join('\n')}\n`;
    },
    json() {
      if (held !== null) decide(true);
      if (fold === null || lens === null) return { lensSummary: null };
      const summary = fold.summary();
      return { lensSummary: { title: lens.title, picked, tokensPerSecond: tokensPerSecond(summary), summary } };
    },
  };
}
