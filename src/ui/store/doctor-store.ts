/**
 * The stream doctor's health of each connection, folded as its entries arrive (the lens store's
 * pattern): each new entry is added once, and `health()` is read once per sync, which the view does
 * once per frame (the timeline store's revision), never per entry. An imported capture is folded
 * from its entries like any other: its health is never read from the file.
 */
import type { DoctorContext } from '../../core/doctor/check.js';
import { contextFor, createDoctor, type Doctor, type Health } from '../../core/doctor/doctor.js';
import { countUpTo } from './seq-index.js';
import type { ConnView } from './timeline-store.js';

/** What the host knows of where a connection runs, which may change from frame to frame (the tab opens and closes streams). */
export interface Surroundings {
  openStreamsOfOrigin: number | null;
  httpVersion: string | null;
}

interface Feed {
  doctor: Doctor;
  /** The doctor reads it at every `health()`: changed here, the next health tells. */
  context: DoctorContext;
  /** The last seq fed. */
  fed: number;
  health: Health;
  stale: boolean;
}

export function createDoctorStore() {
  const feeds = new WeakMap<ConnView, Feed>();

  /** The health of `v`, brought up to date with what it received since the last sync. */
  function sync(v: ConnView, around: Surroundings = { openStreamsOfOrigin: null, httpVersion: null }): Health {
    let f = feeds.get(v);
    if (!f) {
      const context = contextFor(v.info.observed);
      const doctor = createDoctor(context);
      f = { doctor, context, fed: -Infinity, health: doctor.health(), stale: true };
      feeds.set(v, f);
    }
    if (f.context.openStreamsOfOrigin !== around.openStreamsOfOrigin || (f.context.httpVersion ?? null) !== around.httpVersion) {
      f.context.openStreamsOfOrigin = around.openStreamsOfOrigin;
      f.context.httpVersion = around.httpVersion;
      f.stale = true;
    }
    // Entries dropped from the front were fed before they went: only what came after the last fed counts.
    const from = countUpTo(v.entries, f.fed);
    for (let i = from; i < v.entries.length; i++) f.doctor.add(v.entries[i]!);
    if (from < v.entries.length) {
      f.fed = v.entries.at(-1)!.seq;
      f.stale = true;
    }
    if (f.stale) {
      f.health = f.doctor.health();
      f.stale = false;
    }
    return f.health;
  }

  return { sync };
}
