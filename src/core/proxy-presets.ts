/**
 * Common infrastructure limits that cut long-lived responses, for the proxy-cut simulation.
 * Each number is the documented default; docs/profiles.md quotes each source.
 */
export interface ProxyPreset {
  name: string;
  ms: number;
  source: string;
}

export const PROXY_PRESETS: readonly ProxyPreset[] = [
  { name: 'AWS ALB idle timeout', ms: 60_000, source: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html' },
  { name: 'nginx proxy_read_timeout', ms: 60_000, source: 'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_read_timeout' },
  { name: 'Cloudflare proxy read timeout', ms: 120_000, source: 'https://developers.cloudflare.com/fundamentals/reference/connection-limits/' },
  { name: 'Google Cloud LB backend timeout', ms: 30_000, source: 'https://cloud.google.com/compute/docs/reference/rest/v1/backendServices (timeoutSec)' },
  { name: 'Azure Front Door origin timeout', ms: 30_000, source: 'https://learn.microsoft.com/azure/frontdoor/front-door-troubleshoot-routing' },
  { name: 'Heroku router initial response', ms: 30_000, source: 'https://devcenter.heroku.com/articles/request-timeout' },
];
