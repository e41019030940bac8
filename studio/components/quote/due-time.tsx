'use client';

import { useEffect, useState } from 'react';
import { when } from '@/components/format';

/** "in 1 d 23 h" or "overdue by 2 h" from now (minutes and up). */
export function untilText(dueAt: string, now: number): { text: string; overdue: boolean } {
  let ms = Date.parse(dueAt) - now;
  const overdue = ms < 0;
  ms = Math.abs(ms);
  const d = Math.floor(ms / 86_400_000);
  const h = Math.floor((ms % 86_400_000) / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const span = d > 0 ? `${d} d ${h} h` : h > 0 ? `${h} h ${m} min` : `${m} min`;
  return { text: overdue ? `overdue by ${span}` : `due in ${span}`, overdue };
}

/**
 * An SLA due time and its countdown. The server renders the time alone; the countdown starts
 * in the browser (a clock read during rendering would differ between the two and break hydration).
 */
export function DueTime({ dueAt }: { dueAt: string }) {
  const [now, setNow] = useState<number>();
  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  const left = now === undefined ? undefined : untilText(dueAt, now);
  return (
    <span className="due" data-testid="due">
      {when(dueAt)}
      {left ? <> (<span className={left.overdue ? 'sla-overdue' : 'sla-ok'} data-testid="sla">{left.text}</span>)</> : null}
    </span>
  );
}
