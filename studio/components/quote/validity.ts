/** The list's validity presets, as ranges of the current revision's last valid day (the engine filters). */
export const VALIDITY_FILTERS = {
  '': 'Any validity',
  valid: 'Still valid today',
  expiring: 'Expires within 7 days',
  lapsed: 'Validity passed',
} as const;
export type ValidityFilter = keyof typeof VALIDITY_FILTERS;

const day = (now: Date, offset: number) => new Date(now.getTime() + offset * 86_400_000).toISOString().slice(0, 10);

/** The range of last valid days a preset stands for (UTC days, as the engine stores them). */
export function validityRange(filter: ValidityFilter | string, now: Date): { from?: string; to?: string } {
  switch (filter) {
    case 'valid': return { from: day(now, 0) };
    case 'expiring': return { from: day(now, 0), to: day(now, 7) };
    case 'lapsed': return { to: day(now, -1) };
    default: return {};
  }
}
