export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Reads settings of a connector process role from its environment, collecting every problem
 * instead of stopping at the first, so a misconfigured deployment is fixed in one go. Each
 * role's config module is its only user of `process.env`.
 */
export function createEnvReader(env: Record<string, string | undefined>) {
  const problems: string[] = [];
  const text = (name: string, fallback: string) => env[name]?.trim() || fallback;
  return {
    problems,
    text,
    integer(name: string, fallback: number, min: number, max: number): number {
      const raw = env[name]?.trim();
      if (!raw) return fallback;
      const value = Number(raw);
      if (!Number.isInteger(value) || value < min || value > max) {
        problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
        return fallback;
      }
      return value;
    },
    oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
      const value = text(name, fallback);
      if ((allowed as readonly string[]).includes(value)) return value as T;
      problems.push(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
      return fallback;
    },
    url(name: string, fallback: string): string {
      const value = text(name, fallback);
      if (!URL.canParse(value)) problems.push(`${name} must be a URL, got "${value}"`);
      return value;
    },
    list: (name: string, fallback: string) => text(name, fallback).split(',').map((item) => item.trim()).filter(Boolean),
  };
}
