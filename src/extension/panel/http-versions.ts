/**
 * The HTTP version of the origins the inspected tab streams from, for the doctor's six-connections
 * finding (HTTP/2 and /3 have no such limit). A hook in the page cannot see the protocol; DevTools'
 * network log can (`devtools.network.getHAR()`, no permission). A look returns the whole log, so it
 * is taken only while the finding is at stake (an origin with five or more open observed streams
 * whose version is not known yet), and again no sooner than twenty times its own last duration.
 */
import { signal } from '@preact/signals';
import { httpVersionsInHar } from '../../core/observe/http-versions.js';
import { openStreamsOfOrigin } from '../../ui/store/open-streams.js';
import type { TimelineStore } from '../../ui/store/timeline-store.js';
import { getHar, networkApi } from './inspected-window.js';

const CHECK_MS = 2000;
const MIN_GAP_MS = 10_000;
const GAP_FACTOR = 20;
/** The count at which the doctor warns (src/core/doctor/headers.ts). */
const AT_STAKE = 5;

export function createHttpVersions(store: TimelineStore) {
  const network = networkApi();
  const versions = signal<ReadonlyMap<string, string>>(new Map());
  let next = 0;
  let looking = false;

  async function check(): Promise<void> {
    if (!network || looking) return;
    const counts = [...openStreamsOfOrigin(store.list()).values()];
    const unknown = counts.some((c) => c.open >= AT_STAKE && !versions.value.has(c.origin));
    if (!unknown || Date.now() < next) return;
    looking = true;
    const began = Date.now();
    try {
      const found = httpVersionsInHar(await getHar(network));
      if (found.size > 0) versions.value = new Map([...versions.value, ...found]);
    } finally {
      looking = false;
      next = Date.now() + Math.max(MIN_GAP_MS, (Date.now() - began) * GAP_FACTOR);
    }
  }

  if (network) setInterval(() => void check(), CHECK_MS);
  return { versions };
}
