/**
 * What the imitated models answer: canned, deterministic text that reads like an assistant's reply
 * to the request's last user message, cut into tokens the way a tokenizer would (words, long words
 * in pieces, non-ASCII included so multi-byte characters cross chunk boundaries).
 */

interface Canned {
  when: RegExp;
  answer: (question: string) => string;
}

/** The first topic that matches the question answers it; the last one matches anything. */
const CANNED: readonly Canned[] = [
  {
    when: /\b(weather|rain|sunny|forecast|temperature)\b/i,
    answer: () => 'Right now in Zürich it is 14 °C with light rain 🌦, and the wind is calm. Expect the showers to clear by the evening; take an umbrella if you go out this afternoon.',
  },
  {
    when: /\b(sse|server-sent|event ?stream|eventsource)\b/i,
    answer: () =>
      'Server-Sent Events is a one-way stream over plain HTTP: the server keeps the response open and writes `data:` lines, and the browser’s EventSource reconnects on its own, sending the last event ID so the server can resume.',
  },
  {
    when: /\b(joke|funny)\b/i,
    answer: () => 'Why did the stream break up with the socket? It needed some space between its events. 😄',
  },
  {
    when: /^\s*(hi|hello|hey|bonjour|hallo)\b/i,
    answer: () => 'Hello! 👋 I am a demo model served by SSE DevTools. Ask me about the weather, about Server-Sent Events, or for a joke.',
  },
  {
    when: /[\s\S]*/,
    answer: (q) => {
      const topic = q.trim().replace(/\s+/g, ' ').slice(0, 80) || 'your question';
      return `Good question. About “${topic}”: the short answer is that it depends on your setup, but here is a first step — try it with a small example, look at what comes back, and change one thing at a time.`;
    },
  },
];

const ALTERNATIVES = ['', 'In other words: ', 'Put differently: ', 'To sum up: '];

/** The answer to `question`; `variant` > 0 words it again for another choice (OpenAI's `n`). */
export function answerFor(question: string, variant = 0): string {
  const canned = CANNED.find((c) => c.when.test(question)) ?? CANNED[CANNED.length - 1];
  const text = canned?.answer(question) ?? '';
  return `${ALTERNATIVES[variant % ALTERNATIVES.length] ?? ''}${text}`;
}

/** Thinking shown before the answer when a request asks for it. */
export function reasoningFor(question: string): string {
  const topic = question.trim().replace(/\s+/g, ' ').slice(0, 60);
  return `The user asks: “${topic}”. A short, direct answer is best; no tool is needed.`;
}

const MAX_TOKEN_CHARS = 5;

/** Words with their following space, and words longer than a few characters in pieces (by code point, never inside a surrogate pair). */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const word of text.match(/\s*\S+\s*/g) ?? [text]) {
    const chars = Array.from(word);
    for (let i = 0; i < chars.length; i += MAX_TOKEN_CHARS) out.push(chars.slice(i, i + MAX_TOKEN_CHARS).join(''));
  }
  return out;
}

/** A rough token count for usage fields: real tokenizers give about four characters per token. */
export const tokenCount = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

/**
 * A tool call's arguments as providers stream them: JSON with non-ASCII escaped (`\u00fc`), cut into
 * fragments, one of them cut inside that escape, so only the concatenation parses.
 */
export function argumentFragments(args: Record<string, unknown>): string[] {
  const json = JSON.stringify(args).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const escape = json.indexOf('\\u');
  const cuts = new Set<number>([2, 9]);
  if (escape >= 0) cuts.add(escape + 4);
  for (let i = 14; i < json.length; i += 7) cuts.add(i);
  const points = [...cuts].filter((c) => c > 0 && c < json.length).sort((a, b) => a - b);
  const out: string[] = [];
  let from = 0;
  for (const p of points) {
    out.push(json.slice(from, p));
    from = p;
  }
  out.push(json.slice(from));
  return out;
}

/** The arguments the demo model calls a tool with: its first declared parameter (or `city`) set to Zürich. */
export function toolArguments(parameters: unknown): Record<string, unknown> {
  const props = typeof parameters === 'object' && parameters !== null ? (parameters as Record<string, unknown>)['properties'] : null;
  const first = typeof props === 'object' && props !== null ? Object.keys(props)[0] : undefined;
  return { [first ?? 'city']: 'Zürich' };
}
