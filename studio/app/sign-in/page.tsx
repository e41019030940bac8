import { signInConfigured } from '@/lib/session';
import { SignInForm } from './sign-in-form';

export const dynamic = 'force-dynamic';

export default function SignInPage() {
  return (
    <main className="sign-in">
      <h1>Sign in to CPQ Studio</h1>
      <p className="muted">
        Local identities of the engine&apos;s own issuer (development and tests): type who you are, the tenant you work in and your roles.
      </p>
      {signInConfigured() ? <SignInForm /> : <p role="alert" className="problem">The studio has no signing key (AUTH_JWT_SECRET): start it with the platform (`npm run platform`).</p>}
    </main>
  );
}
