import type { RJSFSchema } from '@rjsf/utils';
import type { CandidateDiff, CandidateItemDiff, JsonObject, KindInfo } from '@/lib/api';
import { FieldChanges } from './field-changes';
import { FormDiff } from './form-diff';
import { ModelDiff } from './model-diff';
import './review.css';

const CHANGE_TEXT: Record<CandidateItemDiff['change'], string> = { added: 'new', changed: 'changed', removed: 'removed', unchanged: 'unchanged' };
const MODEL_KINDS = new Set(['bpmn-model', 'dmn-model']);
const xmlOf = (content: JsonObject | null) => (typeof content?.xml === 'string' ? content.xml : null);

/**
 * What a candidate changes in the current release, item by item: the changed fields in words
 * (readable names from the kind's schema), the item's forms side by side with those fields marked,
 * and for BPMN and DMN models both diagrams with their changes marked.
 */
export function CandidateChanges({ diff, kinds, currentLabel }: { diff: CandidateDiff; kinds: KindInfo[]; currentLabel: string }) {
  if (diff.items.length === 0) return <p className="muted">This candidate changes nothing.</p>;
  const schemaOf = (kind: string) => kinds.find((k) => k.kind === kind)?.schema as RJSFSchema | undefined;
  const titleOf = (kind: string) => kinds.find((k) => k.kind === kind)?.title ?? kind;
  return (
    <div data-testid="candidate-changes">
      <p className="muted">
        {diff.items.filter((i) => i.change !== 'unchanged').length} of {diff.items.length} item(s) differ from {currentLabel.charAt(0).toLowerCase() + currentLabel.slice(1)}.
        Changed fields are marked in both forms.
      </p>
      {diff.items.map((item, index) => {
        const schema = schemaOf(item.kind);
        const heading = `${titleOf(item.kind)} ${item.key}`;
        return (
          <section key={`${item.kind}/${item.key}`} className="review-item" aria-label={heading} data-testid={`change-${item.kind}-${item.key}`}>
            <h3>{titleOf(item.kind)} <code>{item.key}</code><span className={`change-badge change-${item.change}`}>{CHANGE_TEXT[item.change]}</span></h3>
            {item.change === 'changed' && schema ? <FieldChanges changes={item.changes} schema={schema} before={item.before} after={item.after} caption={`Changed fields of ${heading}`} /> : null}
            {item.change === 'unchanged' ? <p className="muted">The candidate holds this item as the current release has it.</p> : null}
            {schema && item.change !== 'unchanged' ? (
              <FormDiff kind={item.kind} schema={schema} before={item.before} after={item.after} changes={item.changes}
                idPrefix={`d${index}`} beforeLabel={currentLabel} afterLabel="This candidate" />
            ) : null}
            {MODEL_KINDS.has(item.kind) && item.change !== 'unchanged' ? (
              <ModelDiff kind={item.kind as 'bpmn-model' | 'dmn-model'} before={xmlOf(item.before)} after={xmlOf(item.after)} beforeLabel={currentLabel} afterLabel="This candidate" />
            ) : null}
          </section>
        );
      })}
    </div>
  );
}
