import type { RJSFSchema } from '@rjsf/utils';
import Link from 'next/link';
import type { Draft, JsonObject, KindInfo, Release } from '@/lib/api';
import { getEngine } from '@/lib/engine-client';
import { requirePrincipal } from '@/lib/session';
import { AdminOnly } from '@/components/admin-only';
import { DraftEditor } from '@/components/draft-editor';
import { ProblemView } from '@/components/problem-view';
import { modelContextOf } from '@/components/modeler/model-context';

/** A new draft: pick a kind, then fill its generated form; `from` duplicates an existing draft. */
export default async function NewDraftPage({ searchParams }: { searchParams: Promise<{ kind?: string; from?: string }> }) {
  const principal = await requirePrincipal();
  const { kind = '', from = '' } = await searchParams;
  const kinds = await getEngine<{ items: KindInfo[] }>('/metadata/kinds');
  const info = kinds.ok ? kinds.data.items.find((k) => k.kind === kind) : undefined;
  // A copy starts from the draft, or from the published item when it has no draft.
  const source = info && from ? await getEngine<Draft>(`/metadata/drafts/${encodeURIComponent(kind)}/${encodeURIComponent(from)}`) : undefined;
  const released = source && !source.ok && source.problem.code === 'draft-not-found' ? await getEngine<Release>('/metadata/releases/current') : undefined;
  const releasedItem = released?.ok ? released.data.items.find((i) => i.kind === kind && i.key === from) : undefined;
  const content: JsonObject = source?.ok ? source.data.content : releasedItem?.content ?? {};
  const model = info ? await modelContextOf(info.kind, '', undefined) : undefined;
  return (
    <AdminOnly principal={principal}>
      <p><Link href="/workspace">← Workspace</Link></p>
      {!kinds.ok ? <ProblemView problem={kinds.problem} /> : null}
      {source && !source.ok && !releasedItem ? <ProblemView problem={source.problem} /> : null}
      {!info && kinds.ok ? (
        <form className="panel" aria-label="Choose a kind">
          <h1>New draft</h1>
          <label htmlFor="new-kind">Kind</label>
          <div className="row">
            <select id="new-kind" name="kind" defaultValue={kind} required>
              {kinds.data.items.map((k) => <option key={k.kind} value={k.kind}>{k.title}</option>)}
            </select>
            <button type="submit">Continue</button>
          </div>
        </form>
      ) : null}
      {info ? (
        <DraftEditor
          mode="create"
          kind={info.kind}
          kindTitle={info.title}
          schema={info.schema as RJSFSchema}
          initialKey={from ? `${from}-copy` : ''}
          initialContent={content}
          model={model}
        />
      ) : null}
    </AdminOnly>
  );
}
