/** What the model editor asks of a canvas (bpmn-js or dmn-js), once it is ready. */
export type ModelerHandle = {
  /**
   * The XML to save: the modeler's export when the admin changed the model, undefined when
   * nothing changed (the draft keeps its XML byte for byte, e.g. a Desktop Modeler file).
   */
  exportXml(): Promise<string | undefined>;
  /** Whether the model has this element (an issue's element can be shown). */
  has(elementId: string): boolean;
  /** Selects the element and brings it into view; false when the model has no such element. */
  reveal(elementId: string): boolean;
};

/** The props every canvas takes. */
export type CanvasProps = {
  /** The model to show; a new value that is not the canvas's own export is imported. */
  xml: string;
  /** The issues to mark on their elements. */
  issues: readonly import('./model-issues').ModelIssue[];
  /** The model changed by the admin: its XML (or the imported XML again once every change is undone). */
  onChange(xml: string): void;
  onReady(handle: ModelerHandle): void;
  /** After each import: undefined when the model is shown, else why it cannot be (it does not parse...). */
  onImported(problem: string | undefined): void;
};
