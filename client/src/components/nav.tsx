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
  { href: '/reports/end-of-day', label: 'End of day', capability: 'admin' },
  { href: '/labels', label: 'Labels', capability: 'admin' },
  { href: '/scanner-test', label: 'Scanner test', capability: 'scan' },
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
