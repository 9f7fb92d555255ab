/**
 * Gemini, streamed (`POST /v1beta/models/<model>:streamGenerateContent?alt=sse`): one
 * GenerateContentResponse per chunk of a few tokens (Gemini's chunks are larger than OpenAI's),
 * thoughts as parts with `thought: true` when `thinkingConfig.includeThoughts` is set, a whole
 * `functionCall` part when `tools` declare functions, and finishReason with usageMetadata at the end.
 * Shapes as in test/fixtures/lenses/gemini-*.sse (docs/lenses.md).
 */
import { isRecord } from '../http-body.js';
import { answerFor, reasoningFor, tokenCount, tokenize, toolArguments } from './answer.js';
import { contentText, dataFrame, lastText, nextId, type LlmFormat } from './format.js';
import type { Frame } from './token-writer.js';

const TOKENS_PER_CHUNK = 4;
const PATH = /^\/v1beta\/models\/([A-Za-z0-9._-]{1,100}):streamGenerateContent$/;

function chunks(text: string): string[] {
  const tokens = tokenize(text);
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i += TOKENS_PER_CHUNK) out.push(tokens.slice(i, i + TOKENS_PER_CHUNK).join(''));
  return out;
}

export const gemini: LlmFormat = {
  lens: 'gemini',
  title: 'Gemini streamGenerateContent',
  path: PATH,
  example: { path: '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', body: { contents: [{ role: 'user', parts: [{ text: 'Hello! What can you do?' }] }] } },
  plan(body, url) {
    if (url.searchParams.get('alt') !== 'sse') return { error: 'this demo server streams only as SSE: add ?alt=sse to the URL' };
    const contents = body['contents'];
    if (!Array.isArray(contents) || contents.length === 0) return { error: '* GenerateContentRequest.contents: contents is not specified' };
    const question = lastText(contents, 'user', (m) => contentText(m['parts']));
    const config = isRecord(body['generationConfig']) && isRecord(body['generationConfig']['thinkingConfig']) ? body['generationConfig']['thinkingConfig'] : null;
    const thoughts = config !== null && config['includeThoughts'] === true;
    const declarations = Array.isArray(body['tools']) ? body['tools'].flatMap((t) => (isRecord(t) && Array.isArray(t['functionDeclarations']) ? t['functionDeclarations'].filter(isRecord) : [])) : [];
    const modelVersion = PATH.exec(url.pathname)?.[1] ?? 'gemini-2.5-flash';
    const responseId = nextId('');
    const promptTokens = tokenCount(JSON.stringify(contents));

    const frames: Frame[] = [];
    const chunk = (parts: unknown[], extra: Record<string, unknown> = {}, usage: Record<string, number> = { promptTokenCount: promptTokens, totalTokenCount: promptTokens }): void => {
      frames.push(dataFrame({ candidates: [{ content: { parts, role: 'model' }, index: 0, ...extra }], usageMetadata: usage, modelVersion, responseId }, true));
    };
    let thoughtTokens = 0;
    if (thoughts) {
      const text = reasoningFor(question);
      for (const c of chunks(text)) chunk([{ text: c, thought: true }]);
      thoughtTokens = tokenCount(text);
    }
    const declaration = declarations[0];
    const text = declaration === undefined ? answerFor(question) : 'Let me check.';
    const pieces = chunks(text);
    const last = pieces.pop() ?? '';
    for (const c of pieces) chunk([{ text: c }]);
    const candidateTokens = tokenize(text).length;
    const total = promptTokens + candidateTokens + thoughtTokens;
    const finalParts: unknown[] = [{ text: last }];
    if (declaration !== undefined) finalParts.push({ functionCall: { name: typeof declaration['name'] === 'string' ? declaration['name'].slice(0, 100) : 'get_weather', args: toolArguments(declaration['parameters']) } });
    chunk(finalParts, { finishReason: 'STOP' }, { promptTokenCount: promptTokens, candidatesTokenCount: candidateTokens, totalTokenCount: total, ...(thoughts ? { thoughtsTokenCount: thoughtTokens } : {}) });
    return {
      frames,
      errorFrame: () => `data: ${JSON.stringify({ error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } })}\n\n`,
    };
  },
};
