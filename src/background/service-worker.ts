/**
 * The extension's background context (a service worker in Chrome, a background script in
 * Firefox). It runs the same engine as the CLI; the connection manager, persistence and the panel
 * protocol build on it.
 */
import { createConnection, type Connection } from '../core/engine.js';
import type { ConnectionConfig } from '../core/config.js';
import type { TimelineEntry } from '../core/timeline.js';

const connections = new Map<string, Connection>();

export function openConnection(id: string, config: ConnectionConfig, onEntry: (e: TimelineEntry) => void): Connection {
  connections.get(id)?.close();
  const connection = createConnection({ id, config, onEntry });
  connections.set(id, connection);
  connection.start();
  return connection;
}
