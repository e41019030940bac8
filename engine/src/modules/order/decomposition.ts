import { STEP_LISTS, type FulfillmentDecompositionMapContent } from '@cpq/metadata';

export type DecompositionMap = { key: string; content: FulfillmentDecompositionMapContent };
export type LineToDecompose = { lineId: string; position: number; offering: string; action: string };

export type PlannedStep = {
  /** `<lineId>.<map step key>`: unique in the plan, stable across attempts. */
  stepKey: string;
  lineId: string;
  mapKey: string;
  mapStepKey: string;
  name: string | null;
  targetSystem: string;
  action: string;
  /** Step keys of the plan (same line) that must be done first. */
  dependsOn: string[];
  /** 0 for steps without dependencies; otherwise one more than the latest dependency's wave. */
  wave: number;
  position: number;
};

export type Decomposition =
  | { ok: true; steps: PlannedStep[]; waves: string[][] }
  /** Lines whose offering (or whose action on it) the release has no map for: a model defect, no plan is made. */
  | { ok: false; missing: { lineId: string; offering: string; action: string }[] };

/** The map's steps for a line's action: add the map's steps, modify and disconnect their own lists (absent: none). */
const stepsFor = (map: DecompositionMap, action: string) =>
  action in STEP_LISTS ? map.content[STEP_LISTS[action as keyof typeof STEP_LISTS]] : undefined;

/**
 * Turns order lines into fulfillment steps from the release's decomposition maps (pure: the
 * same lines and maps give the same plan). Each line of an offering gets that offering's map's
 * steps, keyed by line; dependencies stay within the line, so the steps of different lines, and
 * the independent steps of one line, share a wave and run in parallel. A `no-change` line has
 * nothing to fulfil; a modify or disconnect line (a change order on an installed asset) takes its
 * action's own step list of the map. A line whose offering has no map, or whose map has no steps
 * for its action, makes no plan at all (never a partial one): the release has a defect an
 * operator must see.
 */
export function decompose(lines: readonly LineToDecompose[], maps: readonly DecompositionMap[]): Decomposition {
  const byOffering = new Map(maps.map((m) => [m.content.offering, m]));
  const acting = [...lines].filter((l) => l.action !== 'no-change').sort((a, b) => a.position - b.position);
  const missing = acting.filter((l) => { const map = byOffering.get(l.offering); return !map || !stepsFor(map, l.action); })
    .map((l) => ({ lineId: l.lineId, offering: l.offering, action: l.action }));
  if (missing.length > 0) return { ok: false, missing };

  const planned: (Omit<PlannedStep, 'position'> & { order: [number, number] })[] = [];
  acting.forEach((line, lineIndex) => {
    const map = byOffering.get(line.offering)!;
    const steps = stepsFor(map, line.action)!;
    const waves = new Map<string, number>();
    const waveOf = (key: string, seen: Set<string> = new Set()): number => {
      const known = waves.get(key);
      if (known !== undefined) return known;
      // The map's validator refuses cycles before a release is published; guard anyway.
      if (seen.has(key)) throw new Error(`decomposition map ${map.key} has a cycle through ${key}`);
      seen.add(key);
      const step = steps.find((s) => s.key === key)!;
      const wave = step.dependsOn.length === 0 ? 0 : 1 + Math.max(...step.dependsOn.map((d) => waveOf(d, seen)));
      waves.set(key, wave);
      return wave;
    };
    steps.forEach((step, stepIndex) => {
      planned.push({
        stepKey: `${line.lineId}.${step.key}`, lineId: line.lineId, mapKey: map.key, mapStepKey: step.key, name: step.name ?? null,
        targetSystem: step.targetSystem, action: step.action, dependsOn: step.dependsOn.map((d) => `${line.lineId}.${d}`),
        wave: waveOf(step.key), order: [lineIndex, stepIndex],
      });
    });
  });
  planned.sort((a, b) => a.wave - b.wave || a.order[0] - b.order[0] || a.order[1] - b.order[1]);
  const steps = planned.map(({ order: _order, ...step }, position) => ({ ...step, position }));
  const waves: string[][] = [];
  for (const step of steps) (waves[step.wave] ??= []).push(step.stepKey);
  return { ok: true, steps, waves };
}

/** Steps that may have acted, in reverse plan order: what a cancellation compensates (O5). */
export function compensationOrder<S extends { stepKey: string; position: number }>(steps: readonly S[]): string[] {
  return [...steps].sort((a, b) => b.position - a.position).map((s) => s.stepKey);
}
