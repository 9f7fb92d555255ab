/**
 * Common infrastructure limits that cut long-lived responses, for the proxy-cut simulation.
 * Each number is the documented default; docs/profiles.md cites each source.
 */
export interface ProxyPreset {
  name: string;
  ms: number;
  source: string;
}

export const PROXY_PRESETS: readonly ProxyPreset[] = [
  { name: 'AWS ALB idle timeout', ms: 60_000, source: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#connection-idle-timeout' },
  { name: 'nginx proxy_read_timeout', ms: 60_000, source: 'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_read_timeout' },
  { name: 'Cloudflare proxy read timeout', ms: 100_000, source: 'https://developers.cloudflare.com/fundamentals/reference/connection-limits/' },
  { name: 'Heroku router idle window', ms: 55_000, source: 'https://devcenter.heroku.com/articles/request-timeout#long-polling-and-streaming-responses' },
  { name: 'Google Cloud LB backend timeout', ms: 30_000, source: 'https://cloud.google.com/load-balancing/docs/backend-service#timeout-setting' },
];
