/** How a user points the CLI at one of the demo server's /doctor/* streams: its POST body, the reconnect it needs, how long to watch. */
import { DOCTOR_PATH, type DoctorStreamSpec } from '../../src/servers/doctor/catalog.js';

export const catalogUrl = (base: string, s: DoctorStreamSpec): string => `${base}${DOCTOR_PATH}${s.name}`;

/** `capture` or `doctor` arguments for the entry; the caller adds its own (-o FILE, --json, --fail-on). */
export function catalogArgs(command: 'capture' | 'doctor', base: string, s: DoctorStreamSpec): string[] {
  const post = s.post ? ['-X', 'POST', '-H', 'Content-Type: application/json', '-d', JSON.stringify(s.post)] : [];
  return [command, catalogUrl(base, s), ...post, '--max-reconnects', String(s.reconnects ?? 0), '--reconnect-delay', '50', '--duration', String(s.watchMs)];
}

/** Runs `work` over `items`, at most `limit` at once (the CLI is a process each). */
export async function eachLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!);
    }
  });
  await Promise.all(lanes);
  return out;
}
