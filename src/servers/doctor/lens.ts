/**
 * LLM answers that fail the two ways providers do, from the demo server's imitated APIs: cut inside
 * the answer (no terminal event) and an error event after the 200. Asked with POST and the format's
 * example question (or the client's own body).
 */
import { LLM_FORMATS } from '../llm/formats.js';
import type { FailMode } from '../llm/token-writer.js';
import { serveLlm } from '../llm/serve.js';
import type { DoctorStreamSpec } from './spec.js';

/** Four times a real model's pace: the answer is seen being written, and is over in about a second. */
const SPEED = 4;

function llmStream(name: string, lens: string, fail: FailMode, does: string, codes: readonly string[]): DoctorStreamSpec {
  const format = LLM_FORMATS.find((f) => f.lens === lens);
  if (format === undefined) throw new Error(`no LLM format ${lens}`);
  return {
    name,
    does,
    codes,
    post: format.example.body,
    watchMs: 8000,
    script: (res, req) => {
      const url = new URL(`http://127.0.0.1${format.example.path}?speed=${SPEED}&fail=${fail}`);
      serveLlm(format, 'POST', url, req.body.trim() === '' ? JSON.stringify(format.example.body) : req.body, res, req.track);
      return Promise.resolve();
    },
  };
}

export const LENS_STREAMS: readonly DoctorStreamSpec[] = [
  llmStream('llm-cut', 'openai-chat', 'mid', 'an OpenAI Chat Completions answer cut halfway, before its [DONE]', ['no-terminal']),
  llmStream('llm-error', 'anthropic', 'error', 'an Anthropic Messages answer that reports an overloaded error halfway, after its 200 (and so without its message_stop)', ['error-after-200', 'no-terminal']),
];
