/** Every command once: dispatch, `help NAME`, the overview, the usage-error hint and the help test read this. */
import { CAPTURE_HELP, CAPTURE_OPTIONS, parseCaptureArgs } from './args.js';
import { runCapture } from './capture.js';
import type { Command } from './command.js';
import { DEMO_HELP, DEMO_OPTIONS, runDemo } from './demo.js';
import { DOCTOR_HELP, DOCTOR_OPTIONS, runDoctor } from './doctor.js';
import { EXPORT_HELP, EXPORT_OPTIONS, REPLAY_HELP, REPLAY_OPTIONS, runExport, runReplay } from './files.js';

export const COMMANDS: readonly Command[] = [
  {
    name: 'capture',
    synopsis: 'capture URL [options]',
    summary: 'open a stream, print its timeline live, save a capture',
    help: CAPTURE_HELP,
    options: CAPTURE_OPTIONS,
    run: async (argv, io) => {
      const args = parseCaptureArgs(argv);
      if (args !== 'help') return runCapture(args, io);
      io.out(CAPTURE_HELP);
      return 0;
    },
  },
  { name: 'doctor', synopsis: 'doctor URL|FILE [options]', summary: 'say why a stream misbehaves; --fail-on for CI', help: DOCTOR_HELP, options: DOCTOR_OPTIONS, run: runDoctor },
  { name: 'demo', synopsis: 'demo [options]', summary: 'run the demo SSE server on 127.0.0.1:8787', help: DEMO_HELP, options: DEMO_OPTIONS, run: runDemo },
  { name: 'replay', synopsis: 'replay FILE [options]', summary: 'serve a captured connection as a live SSE endpoint', help: REPLAY_HELP, options: REPLAY_OPTIONS, run: runReplay },
  { name: 'export', synopsis: 'export FILE -o OUT', summary: 're-export a capture or HAR, redacted and filtered', help: EXPORT_HELP, options: EXPORT_OPTIONS, run: runExport },
];
