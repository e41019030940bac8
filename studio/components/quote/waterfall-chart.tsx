import type { PricedCharge, TraceStep } from '@/lib/quote-api';

/** Who or what made a step of the waterfall, as the trace records it. */
export function stepSource(step: TraceStep): string {
  const s = step.source;
  switch (s.kind) {
    case 'price-book': return `price book ${s.key}`;
    case 'pricing-rule-set': return `rule ${s.ruleId} (${s.key})`;
    case 'discount-schedule': return `discount schedule ${s.key}`;
    case 'manual': return `manual discount by ${s.actor} (${s.authority}): ${s.reason}`;
    case 'rounding': return `rounding ${s.version}`;
  }
}

/** The short name of what made a step, for the chart's row: the rule, the schedule, who discounted. */
function ruleOf(step: TraceStep): string {
  const s = step.source;
  switch (s.kind) {
    case 'pricing-rule-set': return s.ruleId;
    case 'discount-schedule': return s.key;
    case 'manual': return `manual (${s.actor})`;
    case 'price-book': return s.key;
    case 'rounding': return 'rounding';
  }
}

export type WaterfallBar = { label: string; source: string; from: number; to: number; kind: 'total' | 'down' | 'up'; amount: string; reason: string };

/**
 * A charge's waterfall from its trace: the list price, every step that moved the unit price
 * (with the rule, schedule or person that made it), and the net. Steps that changed nothing
 * (a rounding that was already exact) are left out; the table below the chart lists them all.
 */
export function waterfallBars(charge: PricedCharge): WaterfallBar[] {
  const bars: WaterfallBar[] = [{ label: 'List price', source: charge.trace[0] ? stepSource(charge.trace[0]) : 'price book', from: 0, to: Number(charge.unitListPrice), kind: 'total', amount: charge.unitListPrice, reason: charge.trace[0]?.reason ?? '' }];
  for (const step of charge.trace.slice(1)) {
    const from = Number(step.amountIn);
    const to = Number(step.amountOut);
    if (from === to) continue;
    bars.push({ label: `${ruleOf(step)}: ${step.operation.type} ${step.operation.value}`, source: stepSource(step), from, to, kind: to < from ? 'down' : 'up', amount: step.adjustment, reason: step.reason });
  }
  bars.push({ label: 'Net price', source: charge.floorReached ? 'a floor rule stopped the discounts' : 'after every step', from: 0, to: Number(charge.unitNetPrice), kind: 'total', amount: charge.unitNetPrice, reason: '' });
  return bars;
}

const COLOURS = { total: '#1f5fbf', down: '#1b7a3d', up: '#b3261e' } as const;

/** The waterfall of one charge's unit price as a horizontal bar chart (SVG), with its steps as a table for every reader. */
export function WaterfallChart({ charge, name, currency }: { charge: PricedCharge; name: string; currency: string }) {
  const bars = waterfallBars(charge);
  const max = Math.max(...bars.flatMap((b) => [b.from, b.to]), 0.01);
  const width = 720;
  const labelWidth = 300;
  const row = 26;
  const scale = (v: number) => labelWidth + ((width - labelWidth - 90) * v) / max;
  const summary = `${name}: list ${charge.unitListPrice} to net ${charge.unitNetPrice} ${currency} per unit, ${bars.length - 2} step${bars.length === 3 ? '' : 's'}`;
  return (
    <figure className="waterfall" data-testid={`waterfall-${charge.option ? `${charge.option}-` : ""}${charge.charge}`}>
      <figcaption><strong>{name}</strong> <span className="muted">({charge.chargeType === 'recurring' ? charge.period : 'one-time'}, {charge.quantity} × {charge.unitNetPrice} = {charge.lineNet} {currency})</span></figcaption>
      <svg viewBox={`0 0 ${width} ${bars.length * row + 8}`} width={width} role="img" aria-label={summary}>
        {bars.map((b, i) => {
          const x1 = scale(Math.min(b.from, b.to));
          const x2 = scale(Math.max(b.from, b.to));
          const y = 4 + i * row;
          return (
            <g key={i}>
              <text x={0} y={y + 16}>{b.label.length > 44 ? `${b.label.slice(0, 43)}…` : b.label}</text>
              <rect x={x1} y={y + 3} width={Math.max(x2 - x1, 1.5)} height={row - 8} fill={COLOURS[b.kind]} />
              {i > 0 && i < bars.length - 1 ? <line x1={scale(b.from)} x2={scale(b.from)} y1={y - row + 3} y2={y + row - 5} stroke="#5b6478" strokeDasharray="2 2" /> : null}
              <text x={x2 + 6} y={y + 16}>{b.kind === 'total' ? b.amount : b.amount.startsWith('-') ? b.amount : `+${b.amount}`}</text>
            </g>
          );
        })}
      </svg>
      <details>
        <summary>Steps of {name}</summary>
        <table aria-label={`Price steps of ${name}`}>
          <thead><tr><th>#</th><th>Phase</th><th>What</th><th>By</th><th className="num">In</th><th className="num">Change</th><th className="num">Out</th><th>Why</th></tr></thead>
          <tbody>
            {charge.trace.map((s) => (
              <tr key={s.step}>
                <td>{s.step}</td><td>{s.phase}</td><td>{s.operation.type} {s.operation.value}</td><td>{stepSource(s)}</td>
                <td className="num">{s.amountIn}</td><td className="num">{s.adjustment}</td><td className="num">{s.amountOut}</td><td>{s.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
