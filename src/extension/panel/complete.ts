/**
 * The panel's side of complete capture (issue 12, the opt-in mode): the background attaches
 * Chromium's debugger to the inspected tab, or filters its responses in Firefox, and reports the
 * page's streams from the network layer. The panel explains first what it costs (Chrome's "started
 * debugging this browser" bar; Firefox's catch with the page's reader.cancel()) and asks again; it
 * follows what the background says, since the browser can end the capture on its own (Cancel on
 * Chrome's bar, the tab closed, a permission not granted), and then says why.
 */
import { computed, signal } from '@preact/signals';
import type { Bridge } from './bridge.js';
import { inFirefox } from './in-firefox.js';
import type { Observer } from './observe.js';

/** Which complete capture this browser can do: Chromium's debugger, Firefox's response filters, or none. */
export type CompleteKind = 'debugger' | 'filter' | 'none';

function completeKind(): CompleteKind {
  const g = globalThis as { chrome?: { debugger?: { attach?: unknown } } };
  if (typeof g.chrome?.debugger?.attach === 'function') return 'debugger';
  // The filters are the background's: the panel cannot see webRequest, only which browser it is in.
  return inFirefox() ? 'filter' : 'none';
}

export function createCompleteControl(bridge: Bridge, observer: Observer) {
  const kind = completeKind();
  /** The explanation is open, waiting for "Switch on". */
  const explaining = signal(false);
  /** Asked for, not answered yet. */
  const pending = signal(false);
  const mine = computed(() => {
    const state = bridge.complete.value;
    return state !== null && state.tabId === observer.tabId ? state : null;
  });
  const on = computed(() => mine.value?.on === true);
  const why = computed(() => mine.value?.why ?? null);

  function send(value: boolean): void {
    if (observer.tabId === null) return;
    pending.value = true;
    bridge.send({ type: 'complete-capture', tabId: observer.tabId, on: value, pageUrl: observer.page.value });
  }

  // An answer settles what was asked.
  bridge.complete.subscribe(() => (pending.value = false));
  /** The user's last choice: what to ask for again when the background restarted and forgot it. */
  let wanted = false;
  bridge.complete.subscribe((state) => {
    // Cancel on Chrome's bar, or a start that failed, is the browser's answer: not wanted any more.
    if (state !== null && state.tabId === observer.tabId && !state.on && state.why !== null) wanted = false;
  });
  bridge.onReopen(() => {
    if (wanted) send(true);
  });

  return {
    kind,
    available: observer.available && kind !== 'none',
    explaining,
    pending,
    on,
    why,
    /** The toolbar button: explain first; off at once. */
    toggle(): void {
      if (on.value) {
        wanted = false;
        send(false);
      } else explaining.value = !explaining.value;
    },
    confirm(): void {
      explaining.value = false;
      wanted = true;
      send(true);
    },
    cancel(): void {
      explaining.value = false;
    },
  };
}

export type CompleteControl = ReturnType<typeof createCompleteControl>;
