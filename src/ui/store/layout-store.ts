/**
 * How the panel is laid out: the sizes the user dragged the dividers to (remembered across reloads
 * in localStorage) and, when the panel is too narrow for panes side by side, which one is shown.
 * What comes back from storage is the user's own, but still checked: a bad value is the default.
 */
import { computed, signal, type Signal } from '@preact/signals';

/** Below this width (px) the panes are tabs: a list, the timeline and the detail no longer fit side by side. */
const NARROW_BELOW = 760;

/** 'health': the stream doctor's view, a tab of its own when narrow (beside the timeline when wide). */
export type Pane = 'connections' | 'timeline' | 'detail' | 'health';
export type Size = 'sidebar' | 'channels' | 'detail';

/** Per divider: its default, and the range a drag or a stored value is held to (the CSS also caps it by the room there is). */
export const SIZES: Readonly<Record<Size, { initial: number; min: number; max: number }>> = {
  sidebar: { initial: 300, min: 200, max: 640 },
  channels: { initial: 150, min: 110, max: 360 },
  detail: { initial: 260, min: 90, max: 1600 },
};

const STORAGE_KEY = 'sse-devtools.layout.v1';

type Sizes = Record<Size, number>;

function clampSize(size: Size, value: number): number {
  const { min, max } = SIZES[size];
  return Math.round(Math.min(max, Math.max(min, value)));
}

function readSizes(storage: Storage | null): Sizes {
  const sizes = Object.fromEntries(Object.entries(SIZES).map(([k, v]) => [k, v.initial])) as Sizes;
  let stored: unknown = null;
  try {
    stored = JSON.parse(storage?.getItem(STORAGE_KEY) ?? 'null');
  } catch {
    return sizes;
  }
  if (typeof stored !== 'object' || stored === null) return sizes;
  for (const size of Object.keys(SIZES) as Size[]) {
    const value = (stored as Record<string, unknown>)[size];
    if (typeof value === 'number' && Number.isFinite(value)) sizes[size] = clampSize(size, value);
  }
  return sizes;
}

/** `storage` is null where there is none to use (a file:// viewer with storage blocked): sizes then last as long as the page. */
export function createLayoutStore(storage: Storage | null) {
  const sizes: Readonly<Record<Size, Signal<number>>> = Object.fromEntries(Object.entries(readSizes(storage)).map(([k, v]) => [k, signal(v)])) as Record<Size, Signal<number>>;
  const pane = signal<Pane>('timeline');
  const width = signal(globalThis.innerWidth ?? 1280);

  function save(): void {
    try {
      storage?.setItem(STORAGE_KEY, JSON.stringify(Object.fromEntries(Object.entries(sizes).map(([k, s]) => [k, s.value]))));
    } catch {
      // Storage full or blocked: the size still holds until the panel closes.
    }
  }

  return {
    sizes,
    /** Which pane is shown while the panel is narrow. */
    pane,
    /** The workspace's width in px, as last laid out. */
    width,
    narrow: computed(() => width.value < NARROW_BELOW),
    /** Brings a pane into view: at narrow width, its tab; side by side, every pane is in view already. */
    show(to: Pane): void {
      pane.value = to;
    },
    /** Sets a divider's size within its range; `persist` once a drag ends, not on every pixel. */
    resize(size: Size, value: number, persist = true): void {
      sizes[size].value = clampSize(size, value);
      if (persist) save();
    },
  };
}

export type LayoutStore = ReturnType<typeof createLayoutStore>;

/** The page's localStorage, or null where touching it throws (storage disabled, opaque origin). */
export function pageStorage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}
