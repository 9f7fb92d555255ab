/**
 * Recent connections for one-click reconnect, kept in the panel's localStorage without secrets:
 * secret header values and a secret body are blanked and URL credentials masked before anything is written.
 */
import type { ConnectionConfig } from '../core/config.js';
import { isSecretHeader, maskUrl } from '../core/secrets.js';

const KEY = 'sse-devtools:recent';
const MAX = 10;

export interface Recent {
  config: ConnectionConfig;
  usedAt: number;
}

export function loadRecent(): Recent[] {
  try {
    const raw = JSON.parse(localStorage.getItem(KEY) ?? '[]') as unknown;
    return Array.isArray(raw) ? (raw as Recent[]).filter((r) => typeof r?.config?.url === 'string').slice(0, MAX) : [];
  } catch {
    return [];
  }
}

function withoutSecrets(config: ConnectionConfig): ConnectionConfig {
  return {
    ...config,
    url: maskUrl(config.url),
    headers: config.headers.map(([n, v]) => [n, isSecretHeader(n, config.secretHeaders) ? '' : v]),
    body: config.secretBody && config.body !== null ? '' : config.body,
    reconnect: { ...config.reconnect },
  };
}

/** Entries for connections offered before any was made (`npm start`'s examples), kept as a connection's would be: without secrets. */
export function seedRecent(configs: readonly ConnectionConfig[], now = Date.now()): { key: string; json: string } {
  const list: Recent[] = configs.slice(0, MAX).map((config, i) => ({ config: withoutSecrets(config), usedAt: now - i }));
  return { key: KEY, json: JSON.stringify(list) };
}

export function rememberRecent(config: ConnectionConfig, now = Date.now()): Recent[] {
  const safe = withoutSecrets(config);
  const same = (r: Recent) => r.config.url === safe.url && r.config.method === safe.method;
  const list = [{ config: safe, usedAt: now }, ...loadRecent().filter((r) => !same(r))].slice(0, MAX);
  localStorage.setItem(KEY, JSON.stringify(list));
  return list;
}
