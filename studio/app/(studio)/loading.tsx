export default function Loading() {
  return (
    <div role="status" aria-live="polite">
      <p className="muted">Loading from the engine…</p>
      <div className="progress"><span /></div>
    </div>
  );
}
