import { metricsTokenOf } from './scrape-token';

/** Where a connector-style role serves `/metrics`, and the token a scraper must send. */
export type MetricsSettings = {
  host: string;
  /** undefined: no metrics server (the variable was `off`). */
  port: number | undefined;
  token: string;
};

/**
 * Read by each role's config module (the only readers of `process.env`): `<portVariable>` is the
 * role's own metrics port (so several roles on one host do not collide; `off` disables it),
 * METRICS_HOST the interface (loopback by default), METRICS_TOKEN the scrape token.
 */
export function readMetricsSettings(env: Record<string, string | undefined>, portVariable: string, defaultPort: number, problems: string[]): MetricsSettings {
  const environment = env.NODE_ENV?.trim() || 'development';
  const raw = env[portVariable]?.trim();
  let port: number | undefined = defaultPort;
  if (raw === 'off') port = undefined;
  else if (raw) {
    port = Number(raw);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      problems.push(`${portVariable} must be a port from 0 to 65535 or "off", got "${raw}"`);
      port = defaultPort;
    }
  }
  return { host: env.METRICS_HOST?.trim() || '127.0.0.1', port, token: metricsTokenOf(env, environment, problems) };
}
