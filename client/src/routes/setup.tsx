import { Navigate } from '@solidjs/router';
import { Match, Switch } from 'solid-js';
import { ChangePasswordForm } from '../components/change-password-form';
import { TwoFactorEnrol } from '../components/two-factor-enrol';
import { currentUser, pendingSetup } from '../features/auth/session';
import { homeFor } from './home';

/**
 * What must be done before anything else: a password an admin set is changed, then an admin who
 * must use two-step sign-in sets it up. The shell sends every other screen here until then.
 */
export default function Setup() {
  return (
    <Switch>
      <Match when={pendingSetup(currentUser()) === 'passwordChange'}>
        <main class="page narrow">
          <h1>Choose your own password</h1>
          <p>Your password was set by an admin. Choose a new one that only you know before you continue.</p>
          <ChangePasswordForm />
        </main>
      </Match>
      <Match when={pendingSetup(currentUser()) === 'twoFactorEnrolment'}>
        <main class="page narrow">
          <h1>Set up two-step sign-in</h1>
          <p>Admins sign in with a password and a code from an authenticator app. Set it up now to continue.</p>
          <TwoFactorEnrol onDone={() => undefined} />
        </main>
      </Match>
      <Match when={true}>
        <Navigate href={homeFor(currentUser()?.role)} />
      </Match>
    </Switch>
  );
}
