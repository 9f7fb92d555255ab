/**
 * Every lens, and how one is picked: by hand by name, or automatically as the lens most sure that
 * the stream is its format. Each lens module adds one line to LENSES.
 */
import type { TimelineEntry } from '../timeline.js';
import type { Lens } from './lens.js';
import { aiSdkLens } from './ai-sdk.js';
import { anthropicLens } from './anthropic.js';
import { geminiLens } from './gemini.js';
import { mcpLens } from './mcp.js';
import { openaiChatLens } from './openai-chat.js';
import { openaiResponsesLens } from './openai-responses.js';

export const LENSES: readonly Lens[] = [openaiChatLens, openaiResponsesLens, anthropicLens, geminiLens, aiSdkLens, mcpLens];

/** Below this a lens is guessing (a URL that looks right, no event of its format yet): no lens is better than a wrong one. */
const DETECT_THRESHOLD = 0.5;

/** The lens most sure of the stream, or null when none is sure enough; ties go to the earlier lens in LENSES. */
export function detectLens(entries: readonly TimelineEntry[]): Lens | null {
  let best: Lens | null = null;
  let bestScore = DETECT_THRESHOLD;
  for (const lens of LENSES) {
    const score = lens.detect(entries);
    if (score > bestScore || (best === null && score >= bestScore)) {
      best = lens;
      bestScore = score;
    }
  }
  return best;
}

/** A name from a user, a capture or the CLI's `--lens`: any string, so unknown names are null. */
export function lensByName(name: string): Lens | null {
  return LENSES.find((lens) => lens.name === name) ?? null;
}
