/** Every imitated LLM API the demo server answers; a new format is one module and one line here. */
import { aiSdk } from './ai-sdk.js';
import { anthropic } from './anthropic.js';
import type { LlmFormat } from './format.js';
import { gemini } from './gemini.js';
import { openaiChat } from './openai-chat.js';
import { openaiResponses } from './openai-responses.js';

export const LLM_FORMATS: readonly LlmFormat[] = [openaiChat, openaiResponses, anthropic, gemini, aiSdk];
