/**
 * A divider between two panes that a person can drag, or move with the arrow keys once focused
 * (the WAI-ARIA window splitter pattern). It resizes one pane, the one on `grows` side of it.
 */
import { useRef } from 'preact/hooks';

const STEP = 10;
const BIG_STEP = 50;

export interface DividerProps {
  /** The line between panes side by side is vertical (dragged left and right); between stacked panes, horizontal. */
  orientation: 'vertical' | 'horizontal';
  /** Which neighbour the divider resizes: the pane before it grows as the divider moves right or down; the one after, as it moves left or up. */
  grows: 'before' | 'after';
  label: string;
  testId: string;
  /** The pane's size as stored; what it is on screen may be less when there is no room. */
  value: number;
  min: number;
  max: number;
  /** `done` is false while a drag goes on and true when it ends (or for a key press): the moment to remember it. */
  onResize(size: number, done: boolean): void;
}

export function Divider({ orientation, grows, label, testId, value, min, max, onResize }: DividerProps) {
  const drag = useRef<{ from: number; size: number } | null>(null);
  const axis = orientation === 'vertical' ? 'clientX' : 'clientY';
  const sign = grows === 'before' ? 1 : -1;
  const keys: Record<string, number> = orientation === 'vertical' ? { ArrowRight: sign, ArrowLeft: -sign } : { ArrowDown: sign, ArrowUp: -sign };

  /** Moves start from the size the pane has on screen, so a pane squeezed by a narrow panel does not jump. */
  function shownSize(el: HTMLElement): number {
    const pane = grows === 'before' ? el.previousElementSibling : el.nextElementSibling;
    const box = pane?.getBoundingClientRect();
    return box ? (orientation === 'vertical' ? box.width : box.height) : value;
  }

  return (
    <div
      class={`divider ${orientation}`}
      role="separator"
      aria-orientation={orientation}
      aria-label={label}
      aria-valuenow={value}
      aria-valuemin={min}
      aria-valuemax={max}
      tabIndex={0}
      title={`${label}: drag, or focus and use the arrow keys`}
      data-testid={testId}
      onPointerDown={(e) => {
        if (e.button !== 0) return;
        e.preventDefault();
        e.currentTarget.setPointerCapture(e.pointerId);
        e.currentTarget.focus();
        drag.current = { from: e[axis], size: shownSize(e.currentTarget) };
      }}
      onPointerMove={(e) => {
        if (drag.current) onResize(drag.current.size + sign * (e[axis] - drag.current.from), false);
      }}
      onPointerUp={(e) => {
        if (!drag.current) return;
        onResize(drag.current.size + sign * (e[axis] - drag.current.from), true);
        drag.current = null;
      }}
      onPointerCancel={() => {
        drag.current = null;
        onResize(value, true);
      }}
      onKeyDown={(e) => {
        const direction = keys[e.key];
        const to = direction !== undefined ? shownSize(e.currentTarget) + direction * (e.shiftKey ? BIG_STEP : STEP) : e.key === 'Home' ? min : e.key === 'End' ? max : null;
        if (to === null) return;
        e.preventDefault();
        onResize(to, true);
      }}
    />
  );
}
