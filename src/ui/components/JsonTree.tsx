/** Parsed JSON as a collapsible tree; every value is rendered as text. */
import { useState } from 'preact/hooks';
import { SafeText } from './SafeText.js';

const PAGE = 200;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function Leaf({ value }: { value: Exclude<Json, object> | null }) {
  if (value === null) return <span class="j-null">null</span>;
  if (typeof value === 'string') {
    return (
      <span class="j-string">
        "<SafeText text={value} lines />"
      </span>
    );
  }
  return <span class={`j-${typeof value}`}>{String(value)}</span>;
}

function Node({ name, value, depth }: { name: string | null; value: Json; depth: number }) {
  const [open, setOpen] = useState(depth < 2);
  // A multi-megabyte array must not become millions of elements at once.
  const [shown, setShown] = useState(PAGE);
  const label = name === null ? null : (
      <span class="j-key">
        <SafeText text={name} />:{' '}
      </span>
    );
  if (value === null || typeof value !== 'object') {
    return (
      <div class="j-row">
        {label}
        <Leaf value={value} />
      </div>
    );
  }
  const entries: [string, Json][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  const brackets = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  return (
    <div class="j-node">
      <div class="j-row j-toggle" onClick={() => setOpen(!open)} role="button" aria-expanded={open}>
        <span class="j-arrow">{open ? '▾' : '▸'}</span>
        {label}
        <span class="j-summary">
          {brackets[0]}
          {open ? '' : ` ${entries.length} ${Array.isArray(value) ? 'items' : 'keys'} ${brackets[1]}`}
        </span>
      </div>
      {open && (
        <div class="j-children">
          {entries.slice(0, shown).map(([k, v]) => (
            <Node key={k} name={k} value={v} depth={depth + 1} />
          ))}
          {entries.length > shown && (
            <button class="link" onClick={() => setShown(shown + PAGE)}>
              … {entries.length - shown} more
            </button>
          )}
          <div class="j-row">{brackets[1]}</div>
        </div>
      )}
    </div>
  );
}

/** Parses only when shown: the timeline never parses event data. */
export function tryParseJson(text: string): { ok: true; value: Json } | { ok: false } {
  const t = text.trimStart();
  if (t[0] !== '{' && t[0] !== '[') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) as Json };
  } catch {
    return { ok: false };
  }
}

export function JsonTree({ value }: { value: Json }) {
  return (
    <div class="json-tree mono" data-testid="json-tree">
      <Node name={null} value={value} depth={0} />
    </div>
  );
}
