import type { ReactNode } from 'react';
import type { Principal } from '@/lib/roles';

/** Pages for admins say so to other roles instead of letting the engine refuse every call. */
export function AdminOnly({ principal, children }: { principal: Principal; children: ReactNode }) {
  if (principal.roles.includes('admin')) return <>{children}</>;
  return (
    <div role="alert" className="problem">
      <strong className="problem-title">This page is for admins</strong>
      <p>You are signed in with the role{principal.roles.length === 1 ? '' : 's'} {principal.roles.join(', ')}; drafts and release candidates need the role admin.</p>
    </div>
  );
}
