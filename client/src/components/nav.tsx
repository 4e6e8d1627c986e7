import { A } from '@solidjs/router';
import type { Role } from '@tracetrack/shared';
import { For, type JSX, Show } from 'solid-js';
import { canUse, currentUser } from '../features/auth/session';
import { areaName } from '../features/areas/areas';
import { ROLE_WORDS } from '../features/words';
import { IconAccount, IconAudit, IconBags, IconBills, IconChart, IconPulse, IconScan, IconSearch, IconTest, IconUpload, IconUsers } from './icons';
import { SignOutButton } from './sign-out-button';

export interface NavLink {
  href: string;
  label: string;
  capability: Parameters<typeof canUse>[1];
  icon: () => JSX.Element;
}

/** Every destination; the inbox is in the status bar, always one tap away. */
const LINKS: readonly NavLink[] = [
  { href: '/scan', label: 'Scan', capability: 'scan', icon: IconScan },
  { href: '/bills', label: 'Bills', capability: 'viewBills', icon: IconBills },
  { href: '/returns', label: 'Returns', capability: 'returns', icon: IconBills },
  { href: '/search', label: 'Search', capability: 'lists', icon: IconSearch },
  { href: '/bags', label: 'Bags', capability: 'lists', icon: IconBags },
  { href: '/dashboard', label: 'Dashboard', capability: 'lists', icon: IconChart },
  { href: '/reports/end-of-day', label: 'End of day', capability: 'admin', icon: IconChart },
  { href: '/labels', label: 'Labels', capability: 'admin', icon: IconBags },
  { href: '/imports', label: 'Imports', capability: 'imports', icon: IconUpload },
  { href: '/devices', label: 'Devices', capability: 'devices', icon: IconScan },
  { href: '/scanner-test', label: 'Scanner test', capability: 'scan', icon: IconTest },
  { href: '/users', label: 'Users', capability: 'admin', icon: IconUsers },
  { href: '/audit', label: 'Audit log', capability: 'audit', icon: IconAudit },
  { href: '/system', label: 'System health', capability: 'systemHealth', icon: IconPulse },
  { href: '/account', label: 'My account', capability: 'ownAccount', icon: IconAccount },
];

/** What a role reaches in one tap on a phone, in its order; the rest is under "More". */
const PHONE_FIRST: Record<Role, readonly string[]> = {
  dispatcher: ['/scan', '/search', '/bills'],
  biller: ['/bills', '/scan', '/search'],
  admin: ['/bills', '/scan', '/search'],
};

/** Only what the signed-in role may use; the server enforces the same table. */
export function linksFor(role: Role | undefined): { first: NavLink[]; more: NavLink[] } {
  const allowed = LINKS.filter((l) => canUse(role, l.capability));
  const firstHrefs = role ? PHONE_FIRST[role] : [];
  const first = firstHrefs.map((h) => allowed.find((l) => l.href === h)).filter((l): l is NavLink => l !== undefined);
  return { first, more: allowed.filter((l) => !first.includes(l)) };
}

/** Desktop: the destinations in a row. Phones use the bottom bar instead (bottom-bar.tsx). */
export function TopNav() {
  const links = () => LINKS.filter((l) => canUse(currentUser()?.role, l.capability));
  return (
    <nav class="top-nav" aria-label="Main">
      <For each={links()}>{(l) => <A href={l.href} activeClass="nav-active">{l.label}</A>}</For>
    </nav>
  );
}

/** Who is signed in and the way out, on every screen and every width. */
export function AccountBar() {
  return (
    <div class="account-bar">
      <Show when={currentUser()}>
        {(u) => (
          <span class="account-who" data-testid="signed-in-user">
            <strong>{u().username}</strong> · {ROLE_WORDS[u().role]}
            {u().area ? ` · ${areaName(u().area)}` : ''}
          </span>
        )}
      </Show>
      <SignOutButton />
    </div>
  );
}
