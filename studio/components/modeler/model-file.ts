/**
 * A BPMN or DMN file chosen for import (e.g. saved by Camunda Desktop Modeler). Its text is kept
 * exactly as read, so an imported model that nobody edits is saved, published and deployed byte
 * for byte as the file; only the keys the item needs are read from it.
 */
export type ModelKind = 'bpmn-model' | 'dmn-model';

export type ReadModel =
  | { ok: true; xml: string; key?: string; name?: string; processKey?: string; decisionKey?: string }
  | { ok: false; message: string };

const MAX_BYTES = 1_000_000;

/** The attributes of the first start tag of `localName` (any prefix), e.g. process or decision. */
function startTags(xml: string, localName: string): Record<string, string>[] {
  const tags: Record<string, string>[] = [];
  const tag = new RegExp(`<(?:[A-Za-z_][\\w.-]*:)?${localName}\\b([^>]*)>`, 'g');
  for (const match of xml.matchAll(tag)) {
    const attributes: Record<string, string> = {};
    for (const a of (match[1] ?? '').matchAll(/([\w.:-]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) attributes[a[1]!] = a[3] ?? a[4] ?? '';
    tags.push(attributes);
  }
  return tags;
}

/** The root element's local name and namespace, after the prolog and comments. */
function rootOf(xml: string): { localName: string; namespace: string | undefined } | undefined {
  const body = xml.replace(/<\?[\s\S]*?\?>/g, '').replace(/<!--[\s\S]*?-->/g, '');
  const match = /<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)\b([^>]*)>/.exec(body);
  if (!match) return undefined;
  const prefix = match[1]?.slice(0, -1);
  const ns = new RegExp(`xmlns${prefix ? `:${prefix}` : ''}\\s*=\\s*["']([^"']*)["']`).exec(match[3] ?? '');
  return { localName: match[2]!, namespace: ns?.[1] };
}

/** A file name as an item key: kebab-case, at most 64 characters ("Order Handling.bpmn" -> "order-handling"). */
export function keyFromFileName(fileName: string): string {
  return fileName.replace(/\.(bpmn|dmn|xml)$/i, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64).replace(/-+$/, '');
}

const BPMN_MODEL = 'http://www.omg.org/spec/BPMN/20100524/MODEL';
/** DMN 1.1 (`.../20151101/dmn.xsd`) to 1.5 (`.../20230324/MODEL/`); the engine says which versions Camunda 7 runs. */
const DMN_NAMESPACES = /^https?:\/\/www\.omg\.org\/spec\/DMN\/\d{8}\/(MODEL\/?|dmn\.xsd)$/;

/** Reads a model file's text for a draft of `kind`: refuses what is not a model of that kind, says what keys it holds. */
export function readModelFile(kind: ModelKind, text: string, fileName: string): ReadModel {
  if (text.length > MAX_BYTES) return { ok: false, message: `${fileName} is larger than ${MAX_BYTES} characters, the most a model may have.` };
  const root = rootOf(text);
  const what = kind === 'bpmn-model' ? 'BPMN' : 'DMN';
  if (!root || root.localName !== 'definitions') return { ok: false, message: `${fileName} is not a ${what} file: its root element is not <definitions>.` };
  const key = keyFromFileName(fileName) || undefined;
  if (kind === 'bpmn-model') {
    if (root.namespace !== BPMN_MODEL) return { ok: false, message: `${fileName} is not a BPMN 2.0 file (root namespace ${root.namespace ?? 'none'}).` };
    const processes = startTags(text, 'process');
    const main = processes.find((p) => p.isExecutable === 'true') ?? processes[0];
    return { ok: true, xml: text, key, processKey: main?.id, name: main?.name || undefined };
  }
  if (!root.namespace || !DMN_NAMESPACES.test(root.namespace)) return { ok: false, message: `${fileName} is not a DMN file (root namespace ${root.namespace ?? 'none'}).` };
  const [decision] = startTags(text, 'decision');
  const [definitions] = startTags(text, 'definitions');
  return { ok: true, xml: text, key, decisionKey: decision?.id, name: decision?.name || definitions?.name || undefined };
}

/** DMN 1.1 and 1.2 (which Camunda 7 runs) by their namespace; dmn-js opens DMN 1.3 only. */
export function olderDmnVersion(xml: string): string | undefined {
  const namespace = rootOf(xml)?.namespace ?? '';
  if (namespace === 'http://www.omg.org/spec/DMN/20151101/dmn.xsd') return '1.1';
  if (namespace === 'http://www.omg.org/spec/DMN/20180521/MODEL/') return '1.2';
  return undefined;
}
