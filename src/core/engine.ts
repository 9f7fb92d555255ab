/**
 * The engine's public entry: one SSE connection's lifecycle (src/core/engine/connection.ts) and
 * what its hosts (the background's connection manager, the CLI, benches, tests) pass in.
 * The parts, each named for its concern, live in src/core/engine/.
 */
export { createConnection, type Connection, type ResumePoint, type ResumeSeed } from './engine/connection.js';
export type { KeptCookie } from './engine/cookies.js';
export type { EngineDeps } from './engine/deps.js';
