import type { MetadataItem, SemanticContext } from '../types';
import { elementsOf, parseBpmnOf, parseDmnOf, type ModdleElement } from './moddle';

/**
 * The definition keys BPMN and DMN items give Camunda, for the cross-model checks: a release is
 * deployed as one Camunda deployment, which refuses two definitions with one key, and call
 * activities and business rule tasks resolve only definitions of the tenant (the release).
 */

/** Executable processes (Camunda deploys only those) of a parsed BPMN document. */
export const executableProcesses = (definitions: ModdleElement): ModdleElement[] =>
  elementsOf(definitions).filter((e) => e.$type === 'bpmn:Process' && e.isExecutable === true);

export const decisionsOf = (definitions: ModdleElement): ModdleElement[] =>
  elementsOf(definitions).filter((e) => e.$type === 'dmn:Decision');

type Model = { xml: string };
export type KeyOwners = Map<string, MetadataItem[]>;

async function owners(items: MetadataItem[], keysOf: (item: MetadataItem) => Promise<string[]>): Promise<KeyOwners> {
  const byKey: KeyOwners = new Map();
  for (const item of items) {
    for (const key of new Set(await keysOf(item))) byKey.set(key, [...(byKey.get(key) ?? []), item]);
  }
  return byKey;
}

/** Process key -> the bpmn-model items (of the set and the current release) defining it. */
export const processOwners = (context: SemanticContext): Promise<KeyOwners> =>
  owners(context.items('bpmn-model'), async (item) => {
    const parsed = await parseBpmnOf(item.content as Model);
    return parsed.ok ? executableProcesses(parsed.result.rootElement).map((p) => String(p.id)) : [];
  });

/** Decision key -> the dmn-model items (of the set and the current release) defining it. */
export const decisionOwners = (context: SemanticContext): Promise<KeyOwners> =>
  owners(context.items('dmn-model'), async (item) => {
    const parsed = await parseDmnOf(item.content as Model);
    return parsed.ok ? decisionsOf(parsed.result.rootElement).map((d) => String(d.id)) : [];
  });

/** The other items defining `key`, as "kind/key" names. */
export const othersDefining = (byKey: KeyOwners, key: string, self: MetadataItem): string[] =>
  (byKey.get(key) ?? []).filter((item) => item.key !== self.key || item.kind !== self.kind).map((item) => `${item.kind}/${item.key}`);

/** A Camunda expression (`${...}`, `#{...}`) is resolved at run time: not checkable here. */
export const isExpression = (value: string): boolean => /[$#]\{/.test(value);
