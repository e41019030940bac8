import type { BpmnChanges } from 'bpmn-js-differ';
import { humanize } from './schema-labels';

/** One difference between two models, for the list under the diagrams and the markers on them. */
export type ModelChange = { change: 'added' | 'removed' | 'changed' | 'layout'; id: string; what: string; detail?: string };

type Element = { $type?: string; id?: string; name?: string; label?: string; text?: string; [property: string]: unknown };

/** `bpmn:ServiceTask` -> "Service task". */
const typeName = (type: string | undefined) => humanize((type ?? 'element').replace(/^\w+:/, ''));
const named = (e: Element) => `${typeName(e.$type)}${e.name ? ` “${e.name}”` : ''}`;
/** An attribute's value in words (bpmn-js-differ writes a reference to another element as `#ref:<id>`). */
const value = (v: unknown) => (v === undefined || v === null ? '—' : typeof v === 'object' ? JSON.stringify(v).slice(0, 80) : String(v).replace(/^#ref:/, ''));

/** bpmn-js-differ's answer as a list: added, removed, changed (with the attributes that changed), moved. */
export function bpmnChanges(changes: BpmnChanges): ModelChange[] {
  const list: ModelChange[] = [];
  for (const [id, e] of Object.entries(changes._added)) list.push({ change: 'added', id, what: named(e) });
  for (const [id, e] of Object.entries(changes._removed)) list.push({ change: 'removed', id, what: named(e) });
  for (const [id, c] of Object.entries(changes._changed)) {
    // bpmn-js-differ 3.2 reports each attribute's values the wrong way round (`oldValue` is the
    // second model's, measured: diff(old, new) gives { oldValue: new, newValue: old }); the
    // component test fails if a release turns them back.
    const detail = Object.entries(c.attrs).map(([attr, v]) => `${attr}: ${value(v.newValue)} → ${value(v.oldValue)}`).join('; ');
    list.push({ change: 'changed', id, what: named(c.model), detail });
  }
  for (const [id, e] of Object.entries(changes._layoutChanged)) {
    if (!(id in changes._changed)) list.push({ change: 'layout', id, what: named(e), detail: 'moved' });
  }
  return list;
}

const textOf = (e: Element | undefined) => (e ? String(e.text ?? (e.inputExpression as Element | undefined)?.text ?? '') : '');
const byId = <T extends Element>(items: T[] | undefined) => new Map((items ?? []).map((item, i) => [item.id ?? `#${i}`, item]));

/** A DMN model's differences, and where to mark them in each side's decision table. */
export type DmnDiff = { changes: ModelChange[]; before: Marks; after: Marks };
/** Elements to mark: cells by `data-element-id`, whole rules by `data-row-id`. */
export type Marks = { cells: Map<string, 'changed'>; rows: Map<string, 'added' | 'removed'> };

/**
 * Two DMN definitions (dmn-moddle, as dmn-js read them) compared: decisions added, removed or
 * renamed; per decision table its hit policy, inputs and outputs (label, expression), rules added
 * or removed, and each entry whose text changed (by rule id, then column position).
 */
export function dmnChanges(beforeDefs: unknown, afterDefs: unknown): DmnDiff {
  const out: DmnDiff = { changes: [], before: { cells: new Map(), rows: new Map() }, after: { cells: new Map(), rows: new Map() } };
  const decisions = (defs: unknown) => byId(((defs as Element | undefined)?.drgElement as Element[] | undefined)?.filter((e) => e.$type === 'dmn:Decision'));
  const [was, is] = [decisions(beforeDefs), decisions(afterDefs)];
  for (const [id, d] of is) if (!was.has(id)) out.changes.push({ change: 'added', id, what: named(d) });
  for (const [id, d] of was) if (!is.has(id)) out.changes.push({ change: 'removed', id, what: named(d) });
  for (const [id, after] of is) {
    const before = was.get(id);
    if (!before) continue;
    if (before.name !== after.name) out.changes.push({ change: 'changed', id, what: named(after), detail: `name: ${value(before.name)} → ${value(after.name)}` });
    const [t0, t1] = [before.decisionLogic as Element | undefined, after.decisionLogic as Element | undefined];
    if (t0?.$type !== 'dmn:DecisionTable' || t1?.$type !== 'dmn:DecisionTable') continue;
    if (t0.hitPolicy !== t1.hitPolicy) out.changes.push({ change: 'changed', id: t1.id ?? id, what: `Decision table of “${after.name ?? id}”`, detail: `hit policy: ${value(t0.hitPolicy)} → ${value(t1.hitPolicy)}` });
    for (const part of ['input', 'output'] as const) {
      const [c0, c1] = [byId(t0[part] as Element[]), byId(t1[part] as Element[])];
      for (const [cid, c] of c1) {
        const old = c0.get(cid);
        const label = `${humanize(part)} “${c.label ?? c.name ?? cid}”`;
        if (!old) out.changes.push({ change: 'added', id: cid, what: label });
        else if ((old.label ?? old.name) !== (c.label ?? c.name) || textOf(old) !== textOf(c)) {
          out.changes.push({ change: 'changed', id: cid, what: label, detail: `${value(old.label ?? old.name)} (${textOf(old)}) → ${value(c.label ?? c.name)} (${textOf(c)})` });
        }
      }
      for (const [cid, c] of c0) if (!c1.has(cid)) out.changes.push({ change: 'removed', id: cid, what: `${humanize(part)} “${c.label ?? c.name ?? cid}”` });
    }
    const [r0, r1] = [byId(t0.rule as Element[]), byId(t1.rule as Element[])];
    let index = 0;
    for (const [rid, rule] of r1) {
      index += 1;
      const old = r0.get(rid);
      if (!old) {
        out.changes.push({ change: 'added', id: rid, what: `Rule ${index}` });
        out.after.rows.set(rid, 'added');
        continue;
      }
      const entries = (r: Element) => [...((r.inputEntry as Element[]) ?? []), ...((r.outputEntry as Element[]) ?? [])];
      const [e0, e1] = [entries(old), entries(rule)];
      e1.forEach((entry, i) => {
        if (textOf(entry) === textOf(e0[i])) return;
        out.changes.push({ change: 'changed', id: entry.id ?? `${rid}#${i}`, what: `Rule ${index}, column ${i + 1}`, detail: `${value(textOf(e0[i]))} → ${value(textOf(entry))}` });
        if (entry.id) out.after.cells.set(entry.id, 'changed');
        if (e0[i]?.id) out.before.cells.set(e0[i]!.id!, 'changed');
      });
    }
    for (const [rid] of r0) {
      if (r1.has(rid)) continue;
      out.changes.push({ change: 'removed', id: rid, what: `Rule “${rid}”` });
      out.before.rows.set(rid, 'removed');
    }
  }
  return out;
}
