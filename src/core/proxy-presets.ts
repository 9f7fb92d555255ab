/**
 * What common intermediaries do to a long-lived response by default, for the proxy simulations.
 * Most are idle timeouts (any byte from the server, a heartbeat comment included, resets them);
 * a few cut a response after a fixed time whatever flows. Each number is the vendor's documented
 * default; docs/profiles.md quotes each source.
 */
import type { Fault } from './faults.js';

export type ProxySimulation = 'proxy-idle-timeout' | 'max-connection-age';

export interface ProxyPreset {
  /** For the CLI's --proxy-preset. */
  id: string;
  /** Who, as the timeline names it: "(AWS ALB preset)". */
  name: string;
  /** The vendor's name for the setting. */
  setting: string;
  simulation: ProxySimulation;
  ms: number;
  /** An idle timeout with a different window before the first byte of the response; null when the same. */
  firstByteMs: number | null;
  source: string;
}

export const PROXY_PRESETS: readonly ProxyPreset[] = [
  { id: 'aws-alb', name: 'AWS ALB', setting: 'idle timeout', simulation: 'proxy-idle-timeout', ms: 60_000, firstByteMs: null, source: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html' },
  { id: 'nginx', name: 'nginx', setting: 'proxy_read_timeout', simulation: 'proxy-idle-timeout', ms: 60_000, firstByteMs: null, source: 'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_read_timeout' },
  { id: 'cloudflare', name: 'Cloudflare', setting: 'Proxy Read Timeout (524)', simulation: 'proxy-idle-timeout', ms: 120_000, firstByteMs: null, source: 'https://developers.cloudflare.com/fundamentals/reference/connection-limits/' },
  { id: 'heroku', name: 'Heroku router', setting: '55 s rolling window after 30 s for the first byte', simulation: 'proxy-idle-timeout', ms: 55_000, firstByteMs: 30_000, source: 'https://devcenter.heroku.com/articles/request-timeout' },
  { id: 'gcp-lb', name: 'Google Cloud LB', setting: 'backend service timeout', simulation: 'max-connection-age', ms: 30_000, firstByteMs: null, source: 'https://cloud.google.com/compute/docs/reference/rest/v1/backendServices (timeoutSec)' },
  { id: 'azure-front-door', name: 'Azure Front Door', setting: 'origin response timeout', simulation: 'max-connection-age', ms: 30_000, firstByteMs: null, source: 'https://learn.microsoft.com/azure/frontdoor/front-door-troubleshoot-routing' },
];

export const presetById = (id: string): ProxyPreset | undefined => PROXY_PRESETS.find((p) => p.id === id);

/** The simulation a preset stands for, named after it in every entry. */
export function presetFault(preset: ProxyPreset): Fault {
  return preset.simulation === 'proxy-idle-timeout'
    ? { kind: 'proxy-idle-timeout', ms: preset.ms, firstByteMs: preset.firstByteMs, preset: preset.name }
    : { kind: 'max-connection-age', ms: preset.ms, preset: preset.name };
}
