/**
 * Gemini `streamGenerateContent?alt=sse` (https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent):
 * every event is a whole GenerateContentResponse; the text of each candidate arrives in pieces,
 * function calls arrive whole, thought parts (`thought: true`) are reasoning. No terminal event:
 * the stream is finished when every candidate seen carries a finishReason.
 */
import type { EventEntry, TimelineEntry } from '../timeline.js';
import { BLOCK_DIALECT, createAssembly, headerValue, isRecord, parseJson, str } from './assembly.js';
import type { Lens, LensFold, LensMessage } from './lens.js';

const USAGE = { input: 'promptTokenCount', output: 'candidatesTokenCount', total: 'totalTokenCount' } as const;

function createFold(): LensFold {
  const a = createAssembly('gemini', BLOCK_DIALECT);
  /** Candidate index → its message and whether it has finished, for this attempt. */
  let candidates = new Map<number, { message: LensMessage; finished: boolean; calls: number }>();
  let terminal = false;

  function readCandidate(c: Record<string, unknown>, position: number, e: EventEntry): void {
    const index = typeof c['index'] === 'number' ? c['index'] : position;
    let cand = candidates.get(index);
    if (cand === undefined) {
      cand = { message: a.message(`candidate ${index}`, 'model'), finished: false, calls: 0 };
      candidates.set(index, cand);
    }
    const content = isRecord(c['content']) ? c['content'] : {};
    const parts = Array.isArray(content['parts']) ? content['parts'] : [];
    for (const part of parts) {
      if (!isRecord(part)) continue;
      const text = str(part['text']);
      if (text !== null) {
        const p = part['thought'] === true ? a.part(cand.message, `candidate ${index} thought`, 'reasoning') : a.part(cand.message, `candidate ${index} text`, 'text');
        if (p !== null) a.append(p, text, e);
      }
      const call = isRecord(part['functionCall']) ? part['functionCall'] : null;
      if (call !== null) {
        const p = a.part(cand.message, `candidate ${index} call ${cand.calls++}`, 'tool-call');
        if (p === null || p.tool === null) continue;
        p.tool.id = str(call['id']);
        p.tool.name = str(call['name']);
        a.append(p, JSON.stringify(call['args'] ?? {}), e);
        a.close(p, e.seq);
      }
    }
    const finish = str(c['finishReason']);
    if (finish !== null) {
      cand.message.stopReason = finish;
      cand.finished = true;
      a.changed(cand.message);
      for (const p of cand.message.parts) a.close(p, e.seq);
      if (finish !== 'STOP' && finish !== 'MAX_TOKENS') a.find('warning', 'finish-reason', `candidate ${index} finished with ${finish}`, e.seq);
    }
  }

  return {
    add(entry: TimelineEntry) {
      if (entry.kind === 'attempt-started') {
        candidates = new Map();
        terminal = false;
      }
      const e = a.read(entry);
      if (e === null) return;
      const d = parseJson(e.data);
      if (!isRecord(d)) {
        a.skip();
        return;
      }
      if (isRecord(d['error'])) {
        const err = d['error'];
        a.streamError(e, `${str(err['status']) ?? (typeof err['code'] === 'number' ? String(err['code']) : 'error')}: ${str(err['message']) ?? ''}`.slice(0, 500), false);
        return;
      }
      const list = Array.isArray(d['candidates']) ? d['candidates'] : [];
      list.forEach((c, i) => {
        if (isRecord(c)) readCandidate(c, i, e);
      });
      if (isRecord(d['usageMetadata'])) a.usage(d['usageMetadata'], USAGE);
      const feedback = isRecord(d['promptFeedback']) ? str(d['promptFeedback']['blockReason']) : null;
      if (feedback !== null) a.find('error', 'prompt-blocked', `the prompt was blocked: ${feedback}`, e.seq);
      if (list.length === 0 && !isRecord(d['usageMetadata']) && feedback === null) a.skip();
      const done = feedback !== null || (candidates.size > 0 && [...candidates.values()].every((c) => c.finished));
      if (done !== terminal) {
        terminal = done;
        if (done) a.terminal(e);
        else a.reopen();
      }
    },
    summary: () => a.summary(),
  };
}

function detect(entries: readonly TimelineEntry[]): number {
  let score = 0;
  for (const e of entries) {
    if (e.kind === 'attempt-started') {
      if (/:streamGenerateContent\b/.test(e.url)) score = Math.max(score, 0.8);
      else if (headerValue(e.headers, 'x-goog-api-key') !== null || /generativelanguage\.googleapis\.com|aiplatform\.googleapis\.com/.test(e.url)) score = Math.max(score, 0.6);
    } else if (e.kind === 'event') {
      const d = parseJson(e.data);
      if (isRecord(d) && Array.isArray(d['candidates'])) return Math.max(score, 0.9);
      return score;
    }
  }
  return score;
}

export const geminiLens: Lens = { name: 'gemini', title: 'Gemini streamGenerateContent', detect, create: createFold };
