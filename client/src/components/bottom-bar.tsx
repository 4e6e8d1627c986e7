import { A, useLocation } from '@solidjs/router';
import { createEffect, createSignal, For, on, onCleanup, Show } from 'solid-js';
import { currentUser } from '../features/auth/session';
import { IconMore } from './icons';
import { linksFor } from './nav';

/**
 * Phones: the role's three main destinations and "More" for the rest, fixed at the bottom within
 * reach of the thumb. Hidden on wide screens, where the top navigation shows everything.
 */
export function BottomBar() {
  const location = useLocation();
  const links = () => linksFor(currentUser()?.role);
  const [isMoreOpen, setMoreOpen] = createSignal(false);
  let moreButton: HTMLButtonElement | undefined;
  let menu: HTMLDivElement | undefined;

  createEffect(on(() => location.pathname, () => setMoreOpen(false), { defer: true }));
  const onDocKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && isMoreOpen()) {
      setMoreOpen(false);
      moreButton?.focus();
    }
  };
  const onDocPointer = (e: PointerEvent) => {
    if (isMoreOpen() && !menu?.contains(e.target as Node) && !moreButton?.contains(e.target as Node)) setMoreOpen(false);
  };
  document.addEventListener('keydown', onDocKey);
  document.addEventListener('pointerdown', onDocPointer);
  onCleanup(() => {
    document.removeEventListener('keydown', onDocKey);
    document.removeEventListener('pointerdown', onDocPointer);
  });

  return (
    <nav class="bottom-bar" aria-label="Main (phone)">
      <For each={links().first}>
        {(l) => (
          <A href={l.href} class="bottom-item" activeClass="is-active">
            <l.icon />
            <span>{l.label}</span>
          </A>
        )}
      </For>
      <Show when={links().more.length > 0}>
        <button
          ref={moreButton}
          type="button"
          class="bottom-item"
          classList={{ 'is-active': isMoreOpen() }}
          aria-expanded={isMoreOpen()}
          aria-controls="more-menu"
          onClick={() => setMoreOpen(!isMoreOpen())}
        >
          <IconMore />
          <span>More</span>
        </button>
        <div ref={menu} id="more-menu" class="more-menu" classList={{ hidden: !isMoreOpen() }}>
          <ul>
            <For each={links().more}>
              {(l) => (
                <li>
                  <A href={l.href} activeClass="is-active" onClick={() => setMoreOpen(false)}>
                    <l.icon />
                    <span>{l.label}</span>
                  </A>
                </li>
              )}
            </For>
          </ul>
        </div>
      </Show>
    </nav>
  );
}
