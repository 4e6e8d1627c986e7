import type { Role, User } from '@tracetrack/shared';
import { createEffect, createResource, createSignal, For, on, Show } from 'solid-js';
import { AreaOptions } from '../components/area-options';
import { ExportButton } from '../components/export-button';
import { createPaging, PagedList } from '../components/paged-list';
import { PromotionRequests } from '../components/promotion-requests';
import { UserCreateForm } from '../components/user-create-form';
import { UserManage } from '../components/user-manage';
import { fetchUserPage, type UserFilters } from '../features/accounts/users';
import { areaName } from '../features/areas/areas';
import { countExport, exportHref } from '../features/exports/exports';
import { ROLE_WORDS } from '../features/words';
import { formatDateTime, formatNumber } from '../locale/format';

function stateOf(u: User): string {
  if (u.deactivatedAt) return 'Deactivated';
  if (u.isLocked) return 'Locked by an admin';
  if (u.lockedUntil && Date.parse(u.lockedUntil) > Date.now()) return `Locked until ${formatDateTime(u.lockedUntil)}`;
  if (u.lockedClients > 0) return `${formatNumber(u.lockedClients)} ${u.lockedClients === 1 ? 'device' : 'devices'} locked out`;
  if (u.mustChangePassword) return 'Must change password';
  return 'Active';
}

const yesNo = (v: string): boolean | undefined => (v === 'yes' ? true : v === 'no' ? false : undefined);

/**
 * Admins manage accounts here: find (name, role, area, locks, two-step sign-in, last sign-in,
 * deactivated), create, edit, lock and unlock, end sessions, reset two-step sign-in, hand over a
 * reset link, deactivate; role requests wait at the top.
 */
export default function Users() {
  const [filters, setFilters] = createSignal<UserFilters>({});
  const [areaFilter, setAreaFilter] = createSignal('');
  // Kept apart from the list, so a user who leaves the filtered list (just deactivated) stays open.
  const [selected, setSelected] = createSignal<User | null>(null);
  const paging = createPaging(filters, fetchUserPage);
  // The open user shows as the last page read has them.
  createEffect(on(paging.items, (items) => {
    const open = selected();
    const fresh = open && items.find((u) => u.id === open.id);
    if (fresh) setSelected(fresh);
  }));
  // The export is the filtered list with each user's scans over the last 30 days.
  const [exportCount] = createResource(filters, (filter) => countExport({ kind: 'users', filter }));

  const onFilter = (e: SubmitEvent) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const text = (k: string) => String(form.get(k) ?? '').trim();
    const signedIn = text('signedIn');
    const isLocked = yesNo(text('locked'));
    const hasTwoFactor = yesNo(text('twoFactor'));
    setFilters({
      ...(text('search') ? { search: text('search') } : {}),
      ...(text('role') ? { role: text('role') as Role } : {}),
      ...(areaFilter() ? { area: areaFilter() } : {}),
      ...(isLocked !== undefined ? { isLocked } : {}),
      ...(hasTwoFactor !== undefined ? { hasTwoFactor } : {}),
      isDeactivated: text('deactivated') === 'yes',
      ...(signedIn === 'never' ? { hasSignedIn: false } : {}),
      ...(signedIn === 'week' ? { lastSignInFrom: new Date(Date.now() - 7 * 86_400_000).toISOString() } : {}),
      ...(signedIn === 'month-ago' ? { lastSignInTo: new Date(Date.now() - 30 * 86_400_000).toISOString() } : {}),
    });
  };

  const replace = (user: User) => {
    paging.setItems(paging.items().map((u) => (u.id === user.id ? user : u)));
    setSelected(user);
  };

  return (
    <main class="page">
      <h1>Users</h1>
      <PromotionRequests onDecided={() => paging.reload()} />
      <UserCreateForm onCreated={(u) => paging.setItems([u, ...paging.items()])} />

      <form class="filters" onSubmit={onFilter} aria-label="Filter users">
        <label for="user-search">Name or email</label>
        <input id="user-search" name="search" maxlength={50} autocomplete="off" />
        <label for="user-filter-role">Role</label>
        <select id="user-filter-role" name="role">
          <option value="">All roles</option>
          <For each={Object.entries(ROLE_WORDS)}>{([value, name]) => <option value={value}>{name}</option>}</For>
        </select>
        <label for="user-filter-area">Area</label>
        <select id="user-filter-area" name="area" onChange={(e) => setAreaFilter(e.currentTarget.value)}>
          <option value="">All areas</option>
          <AreaOptions selected={areaFilter()} />
        </select>
        <label for="user-filter-locked">Locked</label>
        <select id="user-filter-locked" name="locked">
          <option value="">Any</option>
          <option value="yes">Locked or locked out</option>
          <option value="no">Not locked</option>
        </select>
        <label for="user-filter-2fa">Two-step sign-in</label>
        <select id="user-filter-2fa" name="twoFactor">
          <option value="">Any</option>
          <option value="yes">On</option>
          <option value="no">Off</option>
        </select>
        <label for="user-filter-signed-in">Last sign-in</label>
        <select id="user-filter-signed-in" name="signedIn">
          <option value="">Any time</option>
          <option value="week">In the last 7 days</option>
          <option value="month-ago">Not in the last 30 days</option>
          <option value="never">Never</option>
        </select>
        <label for="user-filter-deactivated">Accounts</label>
        <select id="user-filter-deactivated" name="deactivated">
          <option value="">Active accounts</option>
          <option value="yes">Deactivated accounts</option>
        </select>
        <button type="submit" class="button">Filter</button>
      </form>
      <ExportButton what="users with their scans of the last 30 days" count={exportCount.loading ? undefined : exportCount()} hrefOf={(format) => exportHref('users', format, filters())} />

      {/* Keyed by id: another user gets a fresh form; the same user, refreshed, keeps its messages. */}
      <Show when={selected()?.id} keyed>
        {(_id) => <UserManage user={selected()!} onChanged={(changed) => (changed ? replace(changed) : paging.reload())} onClose={() => setSelected(null)} />}
      </Show>
      <PagedList
        paging={paging}
        testId="users-table"
        empty="No users match these filters."
        head={
          <tr>
            <th scope="col">User</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Area</th>
            <th scope="col">State</th>
            <th scope="col">Two-step</th>
            <th scope="col">Last sign-in</th>
            <th scope="col"><span class="visually-hidden">Actions</span></th>
          </tr>
        }
        row={(u) => (
          <tr data-testid={`user-row-${u.username}`}>
            <td>{u.username}</td>
            <td>{u.email}</td>
            <td>{ROLE_WORDS[u.role]}</td>
            <td>{areaName(u.area)}</td>
            <td>{stateOf(u)}</td>
            <td>{u.twoFactorEnabled ? 'On' : 'Off'}</td>
            <td>{u.lastSignInAt ? formatDateTime(u.lastSignInAt) : 'Never'}</td>
            <td>
              <button type="button" class="button link-button" onClick={() => setSelected(u)}>
                Manage {u.username}
              </button>
            </td>
          </tr>
        )}
      />
    </main>
  );
}
