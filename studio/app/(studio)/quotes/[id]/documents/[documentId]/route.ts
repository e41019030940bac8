import { fetchEngineFile } from '@/lib/engine-file';

/** The quote PDF, opened in the browser (inline), as the engine serves it to the signed-in user's role. */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string; documentId: string }> }): Promise<Response> {
  const { id, documentId } = await params;
  const response = await fetchEngineFile(`/quotes/${encodeURIComponent(id)}/documents/${encodeURIComponent(documentId)}`);
  if (response.ok) response.headers.set('content-disposition', `inline; filename="quote-${id.slice(0, 8)}.pdf"`);
  return response;
}
