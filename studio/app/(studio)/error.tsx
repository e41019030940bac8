'use client';

export default function StudioError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="problem">
      <strong className="problem-title">This page failed</strong>
      <p>{error.message}</p>
      <button type="button" onClick={reset}>Try again</button>
    </div>
  );
}
