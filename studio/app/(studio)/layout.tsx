import type { ReactNode } from 'react';
import { redirect } from 'next/navigation';
import { currentPrincipal } from '@/lib/session';
import { navigationFor } from '@/lib/roles';
import { signOutAction } from '@/app/actions/session.actions';
import { NavLinks } from '@/components/nav-links';

/** The shell of every signed-in page: who, which tenant, which roles, always visible. */
export default async function StudioLayout({ children }: { children: ReactNode }) {
  const principal = await currentPrincipal();
  if (!principal) redirect('/sign-in');
  return (
    <>
      <header className="topbar">
        <span className="brand">CPQ Studio</span>
        <NavLinks links={navigationFor(principal.roles)} />
        <div className="identity" aria-label="Signed in as">
          <span>Tenant <strong data-testid="tenant">{principal.tenantId}</strong></span>
          <span>User <strong data-testid="user">{principal.userId}</strong></span>
          <span data-testid="roles">{principal.roles.map((r) => <span key={r} className={`badge ${r}`}>{r}</span>)}</span>
          <form action={signOutAction}><button type="submit" className="secondary">Sign out</button></form>
        </div>
      </header>
      <main>{children}</main>
    </>
  );
}
