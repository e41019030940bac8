import { randomUUID } from 'node:crypto';
import type { ValidationIssue } from '@cpq/metadata';
import { CamundaError, type CamundaClient } from '../workflow';

/**
 * Camunda's own parser run on a candidate's BPMN/DMN before review, so that what validates is
 * what deploys (ADR 0007). The models are deployed to the real Camunda under a throwaway tenant
 * id (`cpq-validate-<random>`, source `cpq-validate`) and the deployment is deleted at once
 * (cascade); the shared Camunda is never restarted or reconfigured. Camunda stops at the first
 * resource it refuses, so a refused resource is taken out and the rest deployed again, until
 * every model is judged. Camunda unreachable is an error issue on each model: a candidate whose
 * models could not be checked is not valid (create it again when Camunda is back).
 */
export const VALIDATION_SOURCE = 'cpq-validate';

export type ModelItem = { kind: string; key: string; content: unknown };
type Log = { warn(o: object, m: string): void };

export const isModel = (item: { kind: string }) => item.kind === 'bpmn-model' || item.kind === 'dmn-model';

/** The file name a model is deployed under (publish and validation alike). */
export const modelFileName = (item: { kind: string; key: string }) => `${item.key}.${item.kind === 'bpmn-model' ? 'bpmn' : 'dmn'}`;

export const modelFiles = (models: ModelItem[]) =>
  models.map((m) => ({ name: modelFileName(m), content: (m.content as { xml: string }).xml }));

type CamundaProblem = { message?: unknown; line?: unknown; column?: unknown; mainElementId?: unknown };
type ResourceReport = { errors?: CamundaProblem[]; warnings?: CamundaProblem[] };

/** Whether a Camunda failure is its verdict on the models (4xx, and 500 for DMN it cannot transform), not an outage. */
export const isRefusal = (error: unknown): boolean => error instanceof CamundaError && error.status <= 500;

function problemText(problem: CamundaProblem): string {
  const element = typeof problem.mainElementId === 'string' && problem.mainElementId ? `element "${problem.mainElementId}": ` : '';
  const where = typeof problem.line === 'number' ? ` (line ${problem.line}, column ${String(problem.column)})` : '';
  return `Camunda: ${element}${String(problem.message ?? 'refused')}${where}`;
}

/**
 * Camunda's refusal of a deployment as issues on the items whose files it names (its
 * ParseException details: per resource, errors and warnings with line and element id). A
 * refusal naming no file of ours (e.g. "Unable to transform DMN resource 'x.dmn'" names it only
 * in its message) is matched by the file names in the message, else put on every model.
 */
export function refusalIssues(error: CamundaError, models: ModelItem[]): ValidationIssue[] {
  const byFile = new Map(models.map((m) => [modelFileName(m), m]));
  const issue = (m: ModelItem, message: string, warning = false, elementId?: unknown): ValidationIssue => ({
    item: { kind: m.kind as ValidationIssue['item']['kind'], key: m.key }, pointer: '/xml', code: 'camunda.parse', message,
    ...(warning ? { severity: 'warning' as const } : {}),
    // The element Camunda names, so the studio marks it on the canvas.
    ...(typeof elementId === 'string' && elementId ? { elementId } : {}),
  });
  const issues: ValidationIssue[] = [];
  const details = (typeof error.details === 'object' && error.details !== null ? error.details : {}) as Record<string, ResourceReport>;
  for (const [file, report] of Object.entries(details)) {
    const model = byFile.get(file);
    if (!model || typeof report !== 'object' || report === null) continue;
    for (const problem of report.errors ?? []) issues.push(issue(model, problemText(problem), false, problem.mainElementId));
    for (const problem of report.warnings ?? []) issues.push(issue(model, problemText(problem), true, problem.mainElementId));
  }
  if (issues.some((i) => i.severity !== 'warning')) return issues;
  const message = error.message.replace(/^Camunda POST \S+ answered \d+: /, '');
  const named = models.filter((m) => message.includes(`'${modelFileName(m)}'`) || message.includes(`resource ${modelFileName(m)}`));
  return [...issues, ...(named.length ? named : models).map((m) => issue(m, `Camunda refused the model: ${message}`))];
}

/** Why a request failed below HTTP (fetch hides it in `cause`, e.g. ECONNREFUSED, sometimes inside an AggregateError). */
function causeOf(error: unknown): string {
  type Cause = { code?: string; message?: string; errors?: Cause[] };
  const cause = (error as { cause?: Cause }).cause;
  const code = cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message;
  return code ? ` (${code})` : '';
}

export function createCamundaValidation(camunda: CamundaClient, log: Log) {
  /** Deletes a throwaway deployment; a failure is logged and the next validation sweeps it. */
  async function discard(id: string) {
    await camunda.deleteDeployment(id, true).catch((error: unknown) => {
      if (error instanceof CamundaError && error.status === 404) return;
      log.warn({ deploymentId: id, err: (error as Error).message }, 'could not delete a validation deployment; the next validation removes it');
    });
  }

  /** Throwaway deployments an earlier validation could not delete (never the platform's: they have another source). */
  async function sweep() {
    const leftovers = await camunda.deploymentsBySource(VALIDATION_SOURCE).catch(() => []);
    for (const d of leftovers) await discard(d.id);
  }

  return {
    /** Every issue Camunda's parser finds in these models (none: they deploy as they are). */
    async check(models: ModelItem[]): Promise<ValidationIssue[]> {
      if (models.length === 0) return [];
      const tenantId = `cpq-validate-${randomUUID().slice(0, 8)}`;
      const issues: ValidationIssue[] = [];
      let remaining = models;
      await sweep();
      while (remaining.length > 0) {
        try {
          const deployment = await camunda.deploy({ name: 'cpq-validate', source: VALIDATION_SOURCE, tenantId, deployChangedOnly: false, files: modelFiles(remaining) });
          await discard(deployment.id);
          return issues;
        } catch (error) {
          if (!(error instanceof CamundaError) || !isRefusal(error)) {
            const reason = `${(error as Error).message}${causeOf(error)}`;
            return [...issues, ...remaining.map((m): ValidationIssue => ({
              item: { kind: m.kind as ValidationIssue['item']['kind'], key: m.key }, pointer: '/xml', code: 'camunda.unavailable',
              message: `Camunda could not be asked to parse this model, so it is not known to deploy: ${reason}. Create the candidate again when Camunda is reachable.`,
            }))];
          }
          const found = refusalIssues(error, remaining);
          issues.push(...found);
          const refused = new Set(found.filter((i) => i.severity !== 'warning').map((i) => `${i.item.kind}/${i.item.key}`));
          remaining = remaining.filter((m) => !refused.has(`${m.kind}/${m.key}`));
        }
      }
      return issues;
    },
  };
}

export type CamundaValidation = ReturnType<typeof createCamundaValidation>;
