import type { PriceResult } from '../pricing';

/**
 * How a price result is stored in `price_result.result` and read back. The pricing core prices
 * equal lines once and gives them one shared charges list (a rollout of 500 equal sites); the
 * stored evidence writes such a list once, on the first line that carries it, and each later line
 * names that line by its index (`chargesAt`; the accepted snapshot reads the lines' charges in SQL
 * and follows `chargesAt` itself). Reading restores the result as it was priced, so its
 * resultHash recomputes (hashResult) and every view shows each line's full trace. Rows written
 * before this form (every line with its own charges) read as they are.
 *
 * Why: the evidence of a 500-line quote was 1.7 MB of JSON, which cost more to serialize, send,
 * validate and TOAST-compress than the pricing itself (docs/benchmarks.md).
 */
export function evidenceJson(result: PriceResult): string {
  const firstAt = new Map<unknown, number>();
  const lines = result.lines.map((line, index) => {
    const at = firstAt.get(line.charges);
    if (at === undefined) {
      if (line.charges.length > 0) firstAt.set(line.charges, index);
      return line;
    }
    const { charges: _shared, ...rest } = line;
    return { ...rest, chargesAt: at };
  });
  return JSON.stringify({ ...result, lines });
}

type StoredLine = Omit<PriceResult['lines'][number], 'charges'> & { charges?: PriceResult['lines'][number]['charges'] | null; chargesAt?: number | null };

/**
 * Each stored line's charges: its own, or the shared list of the line it names (`chargesAt`).
 * For the whole evidence (fromEvidence) and for a projection of its lines in SQL (the accepted snapshot).
 */
export function storedCharges<C>(lines: readonly { lineId: string; charges?: readonly C[] | null; chargesAt?: number | null }[]): (readonly C[])[] {
  return lines.map((line) => {
    if (line.charges) return line.charges;
    const first = line.chargesAt === null || line.chargesAt === undefined ? undefined : lines[line.chargesAt];
    if (!first?.charges) throw new Error(`price evidence line ${line.lineId} names line ${String(line.chargesAt)}, which carries no charges`);
    return first.charges;
  });
}

/** The stored evidence (as `json` from PostgreSQL) as the result it was written from. */
export function fromEvidence<R extends PriceResult = PriceResult>(stored: unknown): R {
  const result = stored as Omit<R, 'lines'> & { lines: StoredLine[] };
  if (!result.lines.some((line) => 'chargesAt' in line)) return stored as R;
  const charges = storedCharges(result.lines);
  const lines = result.lines.map(({ chargesAt: _shared, ...line }, i) => ({ ...line, charges: charges[i] }));
  return { ...result, lines } as unknown as R;
}
