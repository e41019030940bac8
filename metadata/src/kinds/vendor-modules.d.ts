/**
 * Minimal types for bpmn-moddle 10 and dmn-moddle 12 (ESM; their "." export ships no types).
 * Only what kinds/moddle.ts uses; checked against dist/index.js of both packages
 * (`export { SimpleBpmnModdle as BpmnModdle }`, `export { simple as DmnModdle }`).
 */
declare module 'bpmn-moddle' {
  import type { ModdleParseResult } from 'moddle-parse-result';

  export class BpmnModdle {
    constructor(packages?: Record<string, unknown>, options?: Record<string, unknown>);
    /** Rejects on unparsable XML or a root that is not bpmn:Definitions. */
    fromXML(xml: string): Promise<ModdleParseResult>;
  }
}

declare module 'dmn-moddle' {
  import type { ModdleParseResult } from 'moddle-parse-result';

  export class DmnModdle {
    constructor(packages?: Record<string, unknown>, options?: Record<string, unknown>);
    /** Rejects on unparsable XML or a root that is not dmn:Definitions. */
    fromXML(xml: string): Promise<ModdleParseResult>;
  }
}

/** Types shared by both moddles (a type-only module: nothing imports it at run time). */
declare module 'moddle-parse-result' {
  /** A model element: `$type` like "bpmn:Process", its properties, and unknown attributes in `$attrs`. */
  export type ModdleElement = {
    readonly $type: string;
    readonly $attrs: Record<string, string | undefined>;
    readonly id?: string;
    readonly [property: string]: unknown;
  };

  /** A recoverable problem found while parsing (unknown element, unresolved reference...). */
  export type ModdleWarning = { message: string; element?: ModdleElement };

  export type ModdleParseResult = {
    rootElement: ModdleElement;
    elementsById: Record<string, ModdleElement>;
    warnings: ModdleWarning[];
  };
}
