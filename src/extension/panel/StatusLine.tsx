/**
 * One line of status under the toolbar (observing, complete capture): what is on and a count for
 * each thing worth a look, a warning mark on those that mean something is not seen; the
 * explanations and lists behind them wait behind the line's disclosure. The details stay in the
 * document while folded, so what they say is still there for assistive tools and tests.
 */
import type { ComponentChildren } from 'preact';
import { useId, useState } from 'preact/hooks';

export interface Tally {
  key: string;
  text: string;
  /** Something is not observed: marked, so it is seen with the details folded. */
  warn: boolean;
  /** The whole story, on hover. */
  title: string;
}

export function StatusLine(p: { testId: string; label: string; detailsTitle: string; head: ComponentChildren; tallies?: Tally[]; actions?: ComponentChildren; after?: ComponentChildren; children: ComponentChildren }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <div class="observe-bar" data-testid={p.testId} role="region" aria-label={p.label}>
      <div class="status-line">
        <button class="disclosure" data-testid={`${p.testId}-details-toggle`} aria-expanded={open} aria-controls={id} title={open ? 'Hide the details' : p.detailsTitle} onClick={() => setOpen(!open)}>
          {open ? '▾' : '▸'}
        </button>
        {p.head}
        {p.tallies?.map((t) => (
          <span key={t.key} class={`status-tally${t.warn ? ' warn' : ''}`} data-testid={`${p.testId}-tally`} data-key={t.key} data-warn={t.warn ? 'true' : undefined} title={t.title}>
            {t.warn && (
              <>
                <span role="img" aria-label="warning">
                  ⚠
                </span>{' '}
              </>
            )}
            {t.text}
          </span>
        ))}
        <span class="spacer" />
        {p.actions}
      </div>
      <div id={id} class="status-details" hidden={!open}>
        {p.children}
      </div>
      {p.after}
    </div>
  );
}
