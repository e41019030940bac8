import type { Candidate } from '@/lib/api';
import { getEngine } from '@/lib/engine-client';
import { issuesOfItem, type ModelIssue } from './model-issues';
import type { WorkerTopic } from './topic-options';

export type ModelContext = {
  topics: WorkerTopic[];
  topicsProblem?: string;
  issues: ModelIssue[];
  issuesFrom?: { candidateId: string; title: string };
};

export const isModelKind = (kind: string) => kind === 'bpmn-model' || kind === 'dmn-model';

/**
 * What the modeler of a BPMN or DMN draft needs from the engine (server side): the worker
 * catalog's topics (BPMN), and the issues of the candidate the admin came from on this item.
 */
export async function modelContextOf(kind: string, key: string, candidateId: string | undefined): Promise<ModelContext | undefined> {
  if (!isModelKind(kind)) return undefined;
  const [topics, candidate] = await Promise.all([
    kind === 'bpmn-model' ? getEngine<{ items: WorkerTopic[] }>('/metadata/worker-topics') : undefined,
    candidateId ? getEngine<Candidate>(`/metadata/release-candidates/${encodeURIComponent(candidateId)}`) : undefined,
  ]);
  return {
    topics: topics?.ok ? topics.data.items : [],
    ...(topics && !topics.ok ? { topicsProblem: topics.problem.title } : {}),
    issues: candidate?.ok ? issuesOfItem(candidate.data.issues, kind, key) : [],
    ...(candidate?.ok ? { issuesFrom: { candidateId: candidate.data.candidateId, title: candidate.data.title } } : {}),
  };
}
