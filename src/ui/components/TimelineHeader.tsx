/**
 * The timeline's column headers, as in the Network panel: each fixed column can be dragged wider
 * or narrower by the divider at its edge (the size column by its left edge, the data column takes
 * what is left), and a double-click on a divider fits the column to the rows on screen. Widths are
 * remembered by the panel.
 */
import { useRef } from 'preact/hooks';
import { clampWidth, COLUMNS, type ColumnKey, type Widths } from '../column-widths.js';

/** The size column sits right of the flexible data column: its divider is on its left, so dragging left widens it. */
const LEFT_EDGE: ReadonlySet<string> = new Set(['size']);

export interface TimelineHeaderProps {
  widths: Widths;
  onResize(key: ColumnKey, width: number): void;
  /** The drag ended: the widths are final. */
  onResized(): void;
  /** The widest cell of this column on screen, in px, for a double-click fit. */
  fit(key: ColumnKey): number | null;
}

export function TimelineHeader({ widths, onResize, onResized, fit }: TimelineHeaderProps) {
  const drag = useRef<{ key: ColumnKey; x: number; width: number; dir: 1 | -1 } | null>(null);
  return (
    <div class="thead" role="row" data-testid="timeline-header">
      {COLUMNS.map((c) => {
        const key = c.width === null ? null : c.key;
        const handle = key && (
          <span
            class={`col-resize ${LEFT_EDGE.has(key) ? 'left' : 'right'}`}
            data-testid="column-resizer"
            data-column={key}
            title="Drag to resize; double-click to fit"
            onPointerDown={(e) => {
              e.preventDefault();
              e.currentTarget.setPointerCapture(e.pointerId);
              // A column never dragged has the stylesheet's width, which depends on the panel's width.
              const shown = e.currentTarget.parentElement?.getBoundingClientRect().width ?? 0;
              drag.current = { key, x: e.clientX, width: widths[key] ?? Math.round(shown), dir: LEFT_EDGE.has(key) ? -1 : 1 };
            }}
            onPointerMove={(e) => {
              const d = drag.current;
              if (d) onResize(d.key, clampWidth(d.width + d.dir * (e.clientX - d.x)));
            }}
            onPointerUp={() => {
              if (!drag.current) return;
              drag.current = null;
              onResized();
            }}
            onDblClick={() => {
              const w = fit(key);
              if (w === null) return;
              onResize(key, clampWidth(w));
              onResized();
            }}
          />
        );
        return (
          <span key={c.key} class={`th c-${c.key}`} role="columnheader" title={c.title} data-column={c.key}>
            <span class="th-label">{c.label}</span>
            {handle}
          </span>
        );
      })}
    </div>
  );
}
