/**
 * The doctor's catalog: one misbehaving stream per finding a server can cause, served by the demo
 * server at /doctor/<name> (no token: they hold nothing), the healthy reference being /events. The
 * tests (core, CLI, viewer, panel), the help text and the README read this one list, so each
 * finding is shown by the stream that proves it is found.
 */
import type { ServerResponse } from 'node:http';
import { BUFFERING_STREAMS } from './buffering.js';
import { FRAMING_STREAMS } from './framing.js';
import { HEADER_STREAMS } from './headers.js';
import { LENS_STREAMS } from './lens.js';
import { RESUMABILITY_STREAMS } from './resumability.js';
import { SILENCE_STREAMS } from './silence.js';
import type { StreamRequest } from './script.js';
import type { DoctorStreamSpec } from './spec.js';

export type { DoctorStreamSpec };

export const DOCTOR_PATH = '/doctor/';

export const DOCTOR_STREAMS: readonly DoctorStreamSpec[] = [
  ...BUFFERING_STREAMS,
  ...HEADER_STREAMS,
  ...SILENCE_STREAMS,
  ...RESUMABILITY_STREAMS,
  ...FRAMING_STREAMS,
  ...LENS_STREAMS,
];

const BY_NAME: ReadonlyMap<string, DoctorStreamSpec> = new Map(DOCTOR_STREAMS.map((s) => [s.name, s]));

export const doctorStreamAt = (pathname: string): DoctorStreamSpec | null => (pathname.startsWith(DOCTOR_PATH) ? (BY_NAME.get(pathname.slice(DOCTOR_PATH.length)) ?? null) : null);

export function serveDoctorStream(spec: DoctorStreamSpec, res: ServerResponse, request: StreamRequest): void {
  request.track(res);
  spec.script(res, request).catch((err: unknown) => res.destroy(err instanceof Error ? err : new Error(String(err))));
}

export const DOCTOR_HELP = `Misbehaving streams for the doctor (no token; 'sse-devtools doctor URL' names what is wrong):
${DOCTOR_STREAMS.map((s) => `${s.post ? 'POST' : 'GET '}     ${`${DOCTOR_PATH}${s.name}`.padEnd(32)} ${s.codes.join(', ')}: ${s.does}`).join('\n')}
`;
