/** Spawns the built CLI as a user runs it, collecting what it prints. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';

const CLI = join(process.cwd(), 'dist', 'sse-devtools.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Options for node itself, e.g. a small heap. */
  nodeArgs?: string[];
  /** Keep at most this many characters of stdout (a fast stream prints a lot). */
  keepStdout?: number;
  /** Sees stdout so far; may signal or close the child's pipes. */
  onOutput?: (stdout: string, child: ChildProcessWithoutNullStreams) => void;
}

export function cli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), CLI, ...args], { env: { ...process.env, NO_COLOR: '1' } });
    const keep = options.keepStdout ?? Infinity;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      if (stdout.length < keep) stdout += d.toString();
      options.onOutput?.(stdout, child);
    });
    child.stdout.on('error', () => {});
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
