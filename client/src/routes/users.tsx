import type { Role, User } from '@tracetrack/shared';
import { createSignal, For, onMount, Show } from 'solid-js';
import { PromotionRequests } from '../components/promotion-requests';
import { UserCreateForm } from '../components/user-create-form';
import { UserManage } from '../components/user-manage';
import { areaName, useAreas } from '../features/accounts/areas';
import { formatTime } from '../features/accounts/format';
import { fetchUsers, type UserFilters } from '../features/accounts/users';
import { ROLE_NAMES } from '../features/accounts/words';

function stateOf(u: User): string {
  if (u.isLocked) return 'Locked';
  if (u.lockedUntil && Date.parse(u.lockedUntil) > Date.now()) return `Locked out until ${formatTime(u.lockedUntil)}`;
  return 'Active';
}

/** Admins manage accounts here: find, create, edit, lock and unlock. */
export default function Users() {
  const areas = useAreas();
  const [items, setItems] = createSignal<User[]>([]);
  const [cursor, setCursor] = createSignal<string | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [filters, setFilters] = createSignal<UserFilters>({});
  const [selectedId, setSelectedId] = createSignal<number | null>(null);
  const selected = () => items().find((u) => u.id === selectedId()) ?? null;

  const load = async (more = false) => {
    setError(null);
    const res = await fetchUsers(filters(), more ? cursor() : null);
    if (!res.ok) return setError(res.message);
    setItems(more ? [...items(), ...res.value.items] : res.value.items);
    setCursor(res.value.nextCursor);
  };
  onMount(() => void load());

  const onFilter = (e: SubmitEvent) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const text = (k: string) => String(form.get(k) ?? '').trim();
    setFilters({
      ...(text('search') ? { search: text('search') } : {}),
      ...(text('role') ? { role: text('role') as Role } : {}),
      ...(text('area') ? { area: text('area') } : {}),
    });
    void load();
  };

  const replace = (user: User) => setItems(items().map((u) => (u.id === user.id ? user : u)));

  return (
    <main class="page">
      <h1>Users</h1>
      <PromotionRequests onDecided={() => void load()} />
      <UserCreateForm onCreated={(u) => setItems([u, ...items()])} />

      <form class="filters" onSubmit={onFilter} aria-label="Filter users">
        <label for="user-search">Name or email</label>
        <input id="user-search" name="search" maxlength={50} autocomplete="off" />
        <label for="user-filter-role">Role</label>
        <select id="user-filter-role" name="role">
          <option value="">All roles</option>
          <For each={Object.entries(ROLE_NAMES)}>{([value, name]) => <option value={value}>{name}</option>}</For>
        </select>
        <label for="user-filter-area">Area</label>
        <select id="user-filter-area" name="area">
          <option value="">All areas</option>
          <For each={areas()}>{(a) => <option value={a.code}>{a.name}</option>}</For>
        </select>
        <button type="submit" class="button">Filter</button>
      </form>

      <Show when={error()}>
        <p class="error" role="alert">{error()}</p>
      </Show>
      <Show when={selected()}>
        {(u) => <UserManage user={u()} onChanged={replace} onClose={() => setSelectedId(null)} />}
      </Show>
      <table class="table" data-testid="users-table">
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Area</th>
            <th scope="col">State</th>
            <th scope="col"><span class="visually-hidden">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          <For each={items()}>
            {(u) => (
              <tr data-testid={`user-row-${u.username}`}>
                <td>{u.username}</td>
                <td>{u.email}</td>
                <td>{ROLE_NAMES[u.role]}</td>
                <td>{areaName(u.area)}</td>
                <td>{stateOf(u)}</td>
                <td>
                  <button type="button" class="button link-button" onClick={() => setSelectedId(u.id)}>
                    Manage {u.username}
                  </button>
                </td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
      <Show when={items().length === 0 && !error()}>
        <p class="muted">No users match these filters.</p>
      </Show>
      <Show when={cursor()}>
        <button type="button" class="button" onClick={() => void load(true)}>
          Load more
        </button>
      </Show>
    </main>
  );
}
