/**
 * The lens view (issue 13): what an LLM or MCP stream means, from the core's lens summary, beside the
 * raw timeline and linked to it both ways. Everything shown came from a stream: text nodes only,
 * markdown not rendered, hidden and control characters made visible one for one (offsets into the
 * text stay those of the summary's spans, which is what the linking reads).
 */
import { useLayoutEffect, useRef } from 'preact/hooks';
import { tokensPerSecond } from '../../core/lenses/assembly.js';
import type { LensFinding, LensMessage, LensPart, LensSummary, McpCall, SourceSpan } from '../../core/lenses/lens.js';
import { JsonTree } from './JsonTree.js';

/** A span, finding or call may name its connection (an MCP session spans several); absent or null means the one shown. */
type MaybeConnection = { connectionId?: string | null };

/** Where in the timeline a piece of the lens came from. */
export interface LinkTarget {
  connectionId: string | null;
  seqs: number[];
}

export interface LensViewProps {
  summary: LensSummary;
  title: string;
  /** The selected timeline row, whose text is marked in the transcript. */
  selectedSeq: number | null;
  onLink(target: LinkTarget): void;
  /** Finds the connection of an MCP call's request or response (seqs are per connection). */
  connectionOfCall?(call: McpCall, which: 'request' | 'response'): string | null;
}

/** A part's text shown up to this; the rest is in the timeline. A huge delta must not stall the view. */
const DISPLAY_CHARS = 200_000;
/** Bars in the gap chart, however many gaps. */
const CHART_BARS = 120;

// Hidden and control characters become U+FFFD one for one (all are single UTF-16 units), so offsets hold.
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
const visible = (s: string): string => s.replace(INVISIBLE, '\ufffd');

const ms = (n: number | null): string => (n === null ? '—' : n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(2)} s`);
const num = (n: number | null): string => (n === null ? '—' : n.toLocaleString('en-US'));

function spanConnection(s: SourceSpan | LensFinding): string | null {
  return (s as MaybeConnection).connectionId ?? null;
}

/** The seqs of spans overlapping [from, to), in order, once each. */
function seqsIn(spans: readonly SourceSpan[], from: number, to: number): number[] {
  const out: number[] = [];
  for (const s of spans) if (s.from < to && s.to > from && !out.includes(s.seq)) out.push(s.seq);
  return out;
}

/** Characters from the start of `el` to (node, offset): what a selection boundary means in the part's text. */
function offsetIn(el: Element, node: Node, offset: number): number {
  const r = document.createRange();
  r.selectNodeContents(el);
  r.setEnd(node, offset);
  return r.toString().length;
}

function GapChart({ gaps }: { gaps: readonly number[] }) {
  if (gaps.length === 0) return null;
  const per = Math.ceil(gaps.length / CHART_BARS);
  const bars: number[] = [];
  for (let i = 0; i < gaps.length; i += per) bars.push(Math.max(...gaps.slice(i, i + per)));
  const max = Math.max(1, ...bars);
  const sorted = [...gaps].sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1]!;
  return (
    <div class="lens-gaps">
      <svg class="gap-chart" data-testid="lens-gap-chart" viewBox={`0 0 ${bars.length} 30`} preserveAspectRatio="none" role="img" aria-label={`Gaps between content deltas: median ${ms(median)}, longest ${ms(max)}`}>
        {bars.map((b, i) => (
          <rect key={i} x={i + 0.1} width={0.8} y={30 - (b / max) * 30} height={(b / max) * 30} />
        ))}
      </svg>
      <span class="muted">
        gaps between deltas: median {ms(median)}, longest {ms(max)}
        {per > 1 ? ` (${gaps.length} gaps, longest per bar)` : ''}
      </span>
    </div>
  );
}

function Findings({ findings, onLink }: { findings: readonly LensFinding[]; onLink: LensViewProps['onLink'] }) {
  if (findings.length === 0) return null;
  return (
    <ul class="lens-findings" data-testid="lens-findings" role="alert">
      {findings.map((f, i) => (
        <li key={i} class={`finding ${f.severity}`} data-testid="lens-finding" data-code={f.code}>
          <span class="finding-icon" aria-hidden="true">
            {f.severity === 'info' ? 'ℹ' : '⚠'}
          </span>
          <span class="finding-text">{visible(f.message)}</span>
          {f.seq !== null && (
            <button class="link" data-testid="lens-finding-row" onClick={() => onLink({ connectionId: spanConnection(f), seqs: [f.seq!] })} title="Select this row in the timeline">
              row {f.seq}
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}

function Timing({ summary }: { summary: LensSummary }) {
  const { startedAt, firstTokenAt, endedAt, gaps } = summary.timing;
  const rate = tokensPerSecond(summary);
  const u = summary.usage;
  return (
    <div class="lens-timing" data-testid="lens-timing">
      <div class="lens-facts">
        <span title="From the request's start to the first content or tool-call delta">
          time to first token <b data-testid="lens-ttft">{ms(startedAt !== null && firstTokenAt !== null ? firstTokenAt - startedAt : null)}</b>
        </span>
        <span>
          total <b data-testid="lens-total">{ms(startedAt !== null && endedAt !== null ? endedAt - startedAt : null)}</b>
        </span>
        {rate !== null && (
          <span title="Output tokens as the provider counted them (usage), over the time from the first token to the end: chunks are not tokens">
            <b data-testid="lens-rate">{rate.toFixed(1)}</b> tokens/s (usage)
          </span>
        )}
      </div>
      <GapChart gaps={gaps} />
      {u && (
        <div class="lens-facts" data-testid="lens-usage">
          <span>
            input <b>{num(u.inputTokens)}</b>
          </span>
          <span>
            output <b>{num(u.outputTokens)}</b>
          </span>
          <span>
            total <b>{num(u.totalTokens)}</b>
          </span>
          {/* Zero counts of details (audio, predictions…) are noise beside the totals. */}
          {u.other.filter(([, v]) => v !== 0).slice(0, 12).map(([k, v]) => (
            <span key={k}>
              {visible(k)} <b>{num(v)}</b>
            </span>
          ))}
        </div>
      )}
    </div>
  );
}

const KIND_LABEL: Readonly<Record<LensPart['kind'], string>> = { text: 'text', reasoning: 'reasoning', refusal: 'refusal', 'tool-call': 'tool call' };

/** The text the part's spans index: a tool call's arguments, any other part's text. */
const linkedText = (part: LensPart): string => part.tool?.arguments ?? part.text;

function PartText({ part, mark }: { part: LensPart; mark: SourceSpan | null }) {
  const full = linkedText(part);
  const shown = full.length > DISPLAY_CHARS ? full.slice(0, DISPLAY_CHARS) : full;
  const m = mark && mark.from < shown.length ? { from: mark.from, to: Math.min(mark.to, shown.length) } : null;
  return (
    <>
      <pre class="lens-text" data-testid="lens-text" data-part={part.key}>
        {m ? (
          <>
            {visible(shown.slice(0, m.from))}
            <mark class="lens-mark" data-testid="lens-mark">
              {visible(shown.slice(m.from, m.to))}
            </mark>
            {visible(shown.slice(m.to))}
          </>
        ) : (
          visible(shown)
        )}
      </pre>
      {shown.length < full.length && <div class="muted lens-cut">… {num(full.length - shown.length)} more characters, in the timeline</div>}
    </>
  );
}

function Part({ part, selectedSeq, onLink }: { part: LensPart; selectedSeq: number | null; onLink: LensViewProps['onLink'] }) {
  const mark = selectedSeq === null ? null : (part.spans.find((s) => s.seq === selectedSeq && spanConnection(s) === null) ?? null);
  const seqs = [...new Set(part.spans.map((s) => s.seq))];
  const head = (
    <>
      <span class={`part-kind ${part.kind}`}>{KIND_LABEL[part.kind]}</span>
      {part.tool && (
        <span class="mono" data-testid="lens-tool-name">
          {visible(part.tool.name ?? '(no name)')}
        </span>
      )}
      {part.tool?.id && <span class="muted mono">{visible(part.tool.id)}</span>}
      {!part.done && <span class="muted">(open)</span>}
      {seqs.length > 0 && (
        <button class="link part-link" data-testid="lens-part-events" onClick={() => onLink({ connectionId: null, seqs })} title="Select the events that wrote this part in the timeline">
          {seqs.length} event{seqs.length === 1 ? '' : 's'}
        </button>
      )}
    </>
  );
  const body = (
    <>
      <PartText part={part} mark={mark} />
      {part.tool && part.text !== '' && (
        <div class="lens-output">
          <span class="part-kind">output</span>
          <pre class="lens-output-text mono">{visible(part.text.slice(0, DISPLAY_CHARS))}</pre>
        </div>
      )}
      {part.tool?.parsed && (part.tool.parsed.ok ? <JsonTree value={part.tool.parsed.value as never} /> : <div class="lens-parse-error" data-testid="lens-parse-error">⚠ arguments are not valid JSON: {visible(part.tool.parsed.error)}</div>)}
    </>
  );
  // Reasoning is set apart and folded; it opens by itself when the selected event wrote some of it.
  if (part.kind === 'reasoning') {
    return (
      <details class="lens-part reasoning" data-testid="lens-part" data-kind={part.kind} open={mark !== null || undefined}>
        <summary>{head}</summary>
        {body}
      </details>
    );
  }
  return (
    <div class={`lens-part ${part.kind}`} data-testid="lens-part" data-kind={part.kind}>
      <div class="part-head">{head}</div>
      {body}
    </div>
  );
}

function Message({ message, selectedSeq, onLink }: { message: LensMessage; selectedSeq: number | null; onLink: LensViewProps['onLink'] }) {
  return (
    <section class="lens-message" data-testid="lens-message">
      <div class="message-head">
        <b>{visible(message.role)}</b> <span class="muted mono">{visible(message.key)}</span>
        {message.stopReason !== null && (
          <span class="stop-reason" data-testid="lens-stop-reason">
            stop: {visible(message.stopReason)}
          </span>
        )}
      </div>
      {message.parts.map((p) => (
        <Part key={p.key} part={p} selectedSeq={selectedSeq} onLink={onLink} />
      ))}
    </section>
  );
}

function McpTable({ calls, onLink, connectionOfCall }: { calls: readonly McpCall[]; onLink: LensViewProps['onLink']; connectionOfCall: NonNullable<LensViewProps['connectionOfCall']> }) {
  if (calls.length === 0) return <div class="muted pad">No JSON-RPC requests yet.</div>;
  const go = (c: McpCall, which: 'request' | 'response') => {
    const seq = which === 'request' ? c.requestSeq : c.responseSeq;
    if (seq !== null) onLink({ connectionId: connectionOfCall(c, which), seqs: [seq] });
  };
  return (
    <div class="mcp-calls-wrap">
      <table class="mcp-calls" data-testid="mcp-calls">
        <thead>
          <tr>
            <th>method</th>
            <th>id</th>
            <th>latency</th>
            <th>result or error</th>
            <th>progress</th>
            <th>session</th>
          </tr>
        </thead>
        <tbody>
          {calls.map((c) => {
            const last = c.progress.at(-1);
            return (
              <tr key={`${c.id} ${c.requestSeq ?? ''}`} class={`mcp-call ${c.outcome}`} data-testid="mcp-call" data-outcome={c.outcome}>
                <td class="mono">
                  <button class="link" disabled={c.requestSeq === null} onClick={() => go(c, 'request')} title="Select the request in the timeline">
                    {visible(c.method)}
                  </button>
                </td>
                <td class="mono">{visible(c.id)}</td>
                <td>{ms(c.latencyMs)}</td>
                <td class="mono mcp-summary">
                  <button class="link" disabled={c.responseSeq === null} onClick={() => go(c, 'response')} title="Select the response in the timeline">
                    {c.outcome === 'pending' ? 'pending' : `${c.outcome === 'error' ? '✖ ' : ''}${visible(c.summary)}`}
                  </button>
                </td>
                <td>{last ? `${num(last.progress)}${last.total !== null ? ` / ${num(last.total)}` : ''} (${c.progress.length})` : ''}</td>
                <td class="mono muted" title={c.sessionId ?? 'no session id'}>
                  {c.sessionId ? visible(c.sessionId.slice(0, 8)) : '—'}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function LensView({ summary, title, selectedSeq, onLink, connectionOfCall }: LensViewProps) {
  const body = useRef<HTMLDivElement>(null);
  const isMcp = summary.lens === 'mcp';

  // The selected event's characters come into view (within the lens view only).
  useLayoutEffect(() => {
    const el = body.current?.querySelector<HTMLElement>('.lens-mark');
    if (!el || !body.current) return;
    const box = body.current.getBoundingClientRect();
    const at = el.getBoundingClientRect();
    if (at.top < box.top || at.bottom > box.bottom) body.current.scrollTop += at.top - box.top - box.height / 3;
  }, [selectedSeq]);

  /** A selection (or a click) in a part's text selects the events that wrote those characters. */
  function onPointerUp(): void {
    const sel = document.getSelection();
    const root = body.current;
    if (!sel || sel.rangeCount === 0 || !root) return;
    const range = sel.getRangeAt(0);
    const seqs: number[] = [];
    for (const el of root.querySelectorAll<HTMLElement>('.lens-text')) {
      if (!range.intersectsNode(el)) continue;
      const part = findPart(summary, el.dataset['part'] ?? '');
      if (!part) continue;
      const from = el.contains(range.startContainer) ? offsetIn(el, range.startContainer, range.startOffset) : 0;
      let to = el.contains(range.endContainer) ? offsetIn(el, range.endContainer, range.endOffset) : el.textContent.length;
      // A click is an empty selection: the event that wrote the character clicked.
      if (to === from) to = from + 1;
      for (const s of seqsIn(part.spans, from, to)) if (!seqs.includes(s)) seqs.push(s);
    }
    if (seqs.length > 0) onLink({ connectionId: null, seqs: seqs.sort((a, b) => a - b) });
  }

  return (
    <div class="lens-body" ref={body} data-testid="lens-body" onMouseUp={onPointerUp} aria-label={`${title} lens`}>
      <Findings findings={summary.findings} onLink={onLink} />
      {!isMcp && <Timing summary={summary} />}
      {!summary.terminal && summary.findings.every((f) => f.code !== 'no-terminal') && !isMcp && <div class="muted pad" data-testid="lens-streaming">streaming… (no terminal event yet)</div>}
      {isMcp && <McpTable calls={summary.calls} onLink={onLink} connectionOfCall={connectionOfCall ?? (() => null)} />}
      {summary.messages.map((m) => (
        <Message key={m.key} message={m} selectedSeq={selectedSeq} onLink={onLink} />
      ))}
      {summary.messages.length === 0 && !isMcp && <div class="muted pad">No content yet.</div>}
      {summary.unread > 0 && <div class="muted pad">{num(summary.unread)} events not read by this lens (unknown types or invalid JSON)</div>}
    </div>
  );
}

function findPart(summary: LensSummary, key: string): LensPart | null {
  for (const m of summary.messages) for (const p of m.parts) if (p.key === key) return p;
  return null;
}
