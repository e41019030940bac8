/**
 * Minimal types for the modelers' packages that ship none (bpmn-js has its own): only what
 * studio/components/modeler uses, checked against their dist files.
 */
declare module 'bpmn-js-properties-panel' {
  type Module = Record<string, unknown>;
  export const BpmnPropertiesPanelModule: Module;
  export const BpmnPropertiesProviderModule: Module;
  export const CamundaPlatformPropertiesProviderModule: Module;
  /** The diagram's service of that name, inside a properties panel entry (a Preact hook). */
  export function useService<T = unknown>(type: string, strict?: boolean): T;
}

declare module '@bpmn-io/properties-panel' {
  export type SelectOption = { value: string; label: string; disabled?: boolean };
  export function SelectEntry(props: {
    element: unknown;
    id: string;
    label: string;
    description?: string;
    getValue: (element: unknown) => string;
    setValue: (value: string) => void;
    getOptions: (element: unknown) => SelectOption[];
  }): unknown;
  export function isSelectEntryEdited(node: unknown): boolean;
}

declare module 'camunda-bpmn-js-behaviors/lib/camunda-platform' {
  const module: Record<string, unknown>;
  export default module;
}

declare module 'camunda-bpmn-moddle/resources/camunda.json' {
  const descriptor: Record<string, unknown>;
  export default descriptor;
}

declare module 'dmn-js/lib/Modeler' {
  export type DmnView = { type: 'drd' | 'decisionTable' | 'literalExpression' | 'boxedExpression' | string; element: { id: string; name?: string; $type: string; [property: string]: unknown } };
  export default class DmnModeler {
    constructor(options: { container?: HTMLElement; common?: Record<string, unknown>; [view: string]: unknown });
    importXML(xml: string): Promise<{ warnings: unknown[] }>;
    saveXML(options?: { format?: boolean }): Promise<{ xml: string }>;
    getViews(): DmnView[];
    getActiveView(): DmnView | undefined;
    getActiveViewer(): { get<T = unknown>(name: string): T; on(event: string, callback: (...args: unknown[]) => void): void; off(event: string, callback: (...args: unknown[]) => void): void } | undefined;
    open(view: DmnView): Promise<unknown>;
    on(event: string, callback: (event: { activeView?: DmnView; views?: DmnView[] }) => void): void;
    destroy(): void;
  }
}

declare module '@bpmn-io/dmn-migrate' {
  /** A DMN 1.1 or 1.2 document as DMN 1.3 (anything else unchanged). */
  export function migrateDiagram(xml: string): Promise<string>;
}

/** Vite's raw imports, for the component tests' model fixtures (vitest browser mode). */
declare module '*?raw' {
  const text: string;
  export default text;
}
