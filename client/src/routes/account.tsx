import { Show } from 'solid-js';
import { AccountSessions } from '../components/account-sessions';
import { ChangePasswordForm } from '../components/change-password-form';
import { TwoFactorStatus } from '../components/two-factor-status';
import { areaName } from '../features/areas/areas';
import { ROLE_WORDS } from '../features/words';
import { canUse, currentUser } from '../features/auth/session';
import { PromotionAsk } from '../components/promotion-ask';

/** Everyone's own account: password, where you are signed in, two-step sign-in. */
export default function Account() {
  return (
    <main class="page narrow-wide">
      <h1>My account</h1>
      <Show when={currentUser()}>
        {(me) => (
          <p>
            <strong>{me().username}</strong> · {ROLE_WORDS[me().role]}
            <Show when={me().area}> · {areaName(me().area)}</Show>
            <Show when={me().email}> · {me().email}</Show>
          </p>
        )}
      </Show>
      <section class="card" aria-labelledby="password-title">
        <h2 id="password-title">Password</h2>
        <ChangePasswordForm />
      </section>
      <section class="card" aria-labelledby="two-factor-title">
        <h2 id="two-factor-title">Two-step sign-in</h2>
        <TwoFactorStatus />
      </section>
      <section class="card" aria-labelledby="sessions-title">
        <h2 id="sessions-title">Where you are signed in</h2>
        <AccountSessions />
      </section>
      <Show when={canUse(currentUser()?.role, 'askRole')}>
        <section class="card" aria-labelledby="promotion-title">
          <h2 id="promotion-title">Another role</h2>
          <PromotionAsk />
        </section>
      </Show>
    </main>
  );
}
