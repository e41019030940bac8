'use client';

import { useActionState } from 'react';
import { signInAction, type SignInState } from '@/app/actions/session.actions';
import { ROLES } from '@/lib/roles';

const KNOWN_USERS = ['ada', 'ben', 'rita'];

export function SignInForm() {
  const [state, action, pending] = useActionState<SignInState, FormData>(signInAction, {});
  return (
    <form action={action} className="panel">
      <div className="field">
        <label htmlFor="user">User</label>
        <input id="user" name="user" type="text" list="known-users" autoComplete="username" required defaultValue="ada" />
        <datalist id="known-users">{KNOWN_USERS.map((u) => <option key={u} value={u} />)}</datalist>
      </div>
      <div className="field">
        <label htmlFor="tenant">Tenant</label>
        <input id="tenant" name="tenant" type="text" required defaultValue="demo" />
      </div>
      <fieldset className="roles field">
        <legend>Roles</legend>
        {ROLES.map((role) => (
          <label key={role}>
            <input type="checkbox" name="roles" value={role} defaultChecked={role === 'admin'} /> {role}
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor="team">Team</label>
        <input id="team" name="team" type="text" defaultValue="" aria-describedby="team-hint" />
        <p id="team-hint" className="muted">Reps and sales managers: the team whose quotes they share.</p>
      </div>
      <div className="field">
        <label htmlFor="account">Account</label>
        <input id="account" name="account" type="text" defaultValue="" aria-describedby="account-hint" />
        <p id="account-hint" className="muted">Customers: the account they buy for.</p>
      </div>
      {state.error ? <p role="alert" className="problem">{state.error}</p> : null}
      <button type="submit" disabled={pending}>{pending ? 'Signing in…' : 'Sign in'}</button>
    </form>
  );
}
