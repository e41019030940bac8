import type { RJSFSchema } from '@rjsf/utils';
import Link from 'next/link';
import type { Draft, KindInfo, MetadataKind, Release } from '@/lib/api';
import { getEngine } from '@/lib/engine-client';
import { requirePrincipal } from '@/lib/session';
import { AdminOnly } from '@/components/admin-only';
import { DraftEditor } from '@/components/draft-editor';
import { ProblemView } from '@/components/problem-view';
import { ItemHistory } from '@/components/review/release-review';
import { modelContextOf } from '@/components/modeler/model-context';

/** A candidate's issue linked to this item (`candidate`: BPMN and DMN show all its issues on their elements). */
type IssueLink = { pointer?: string; message?: string; rule?: string; candidate?: string };
/** `saved`: the version a new draft's page just created (its notice is carried over here). */
type Query = IssueLink & { saved?: string };

export default async function DraftPage({ params, searchParams }: { params: Promise<{ kind: string; key: string }>; searchParams: Promise<Query> }) {
  const principal = await requirePrincipal();
  const { kind, key } = await params;
  // Opened from a candidate's issue: show it at its field.
  const issue = await searchParams;
  const initialProblem = issue.message !== undefined
    ? { title: 'Validation issue of the release candidate', status: 422, errors: [{ field: issue.pointer ?? '', rule: issue.rule ?? '', message: issue.message }] }
    : undefined;
  const [draft, kinds, model] = await Promise.all([
    getEngine<Draft>(`/metadata/drafts/${encodeURIComponent(kind)}/${encodeURIComponent(key)}`),
    getEngine<{ items: KindInfo[] }>('/metadata/kinds'),
    modelContextOf(kind, key, issue.candidate),
  ]);
  const info = kinds.ok ? kinds.data.items.find((k) => k.kind === kind) : undefined;
  // A published item without a draft: edit its released content, saving starts the draft.
  const released = !draft.ok && draft.problem.code === 'draft-not-found' ? await getEngine<Release>('/metadata/releases/current') : undefined;
  const publishedItem = released?.ok ? released.data.items.find((i) => i.kind === kind && i.key === key) : undefined;
  return (
    <AdminOnly principal={principal}>
      <p><Link href="/workspace">← Workspace</Link></p>
      {!draft.ok && !publishedItem ? <ProblemView problem={draft.problem} /> : null}
      {!kinds.ok ? <ProblemView problem={kinds.problem} /> : null}
      {/* One slot for both cases, so the editor keeps its state when its first save turns a published item into a draft. */}
      {info && (draft.ok || (publishedItem && released?.ok)) ? (
        <DraftEditor
          key={`${kind}/${key}`}
          mode={draft.ok ? 'edit' : 'create'}
          kind={kind as MetadataKind}
          kindTitle={info.title}
          schema={info.schema as RJSFSchema}
          initialKey={key}
          initialContent={draft.ok ? draft.data.content : publishedItem!.content}
          {...(draft.ok ? { draft: draft.data } : { publishedIn: released?.ok ? released.data.releaseNumber : undefined })}
          initialProblem={model?.issues.length ? undefined : initialProblem}
          {...(draft.ok && issue.saved === String(draft.data.version) ? { initialNotice: `Saved version ${draft.data.version}.` } : {})}
          model={model}
        />
      ) : null}
      {draft.ok || publishedItem ? <ItemHistory kind={kind} itemKey={key} /> : null}
    </AdminOnly>
  );
}
