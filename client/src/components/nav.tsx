import { A } from '@solidjs/router';
import { For } from 'solid-js';
import { canUse, currentUser } from '../features/auth/session';
import { SignOutButton } from './sign-out-button';

const LINKS = [
  { href: '/scan', label: 'Scan', capability: 'scan' },
  { href: '/inbox', label: 'Inbox', capability: 'scan' },
  { href: '/bills', label: 'Bills', capability: 'viewBills' },
  { href: '/search', label: 'Search', capability: 'lists' },
  { href: '/bags', label: 'Bags', capability: 'lists' },
  { href: '/dashboard', label: 'Dashboard', capability: 'lists' },
  { href: '/scanner-test', label: 'Scanner test', capability: 'scan' },
  { href: '/users', label: 'Users', capability: 'admin' },
  { href: '/audit', label: 'Audit log', capability: 'audit' },
  { href: '/account', label: 'My account', capability: 'ownAccount' },
] as const;

/** Only what the signed-in role may use (DOMAIN §6). */
export function Nav() {
  const links = () => LINKS.filter((l) => canUse(currentUser()?.role, l.capability));
  return (
    <nav class="nav" aria-label="Main">
      <For each={links()}>{(l) => <A href={l.href} activeClass="nav-active">{l.label}</A>}</For>
      <span class="nav-user">
        {currentUser()?.username} ({currentUser()?.role})
      </span>
      <SignOutButton />
    </nav>
  );
}

/** While an account setup is pending: who is signed in and the way out, nothing else to reach. */
export function SetupBar() {
  return (
    <nav class="nav" aria-label="Account">
      <span class="nav-user">
        {currentUser()?.username} ({currentUser()?.role})
      </span>
      <SignOutButton />
    </nav>
  );
}
