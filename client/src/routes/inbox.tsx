import { A } from '@solidjs/router';
import { For, Show } from 'solid-js';
import { dismissRefusal, useInbox } from '../features/sync/inbox';
import { mutationWords, refusalWords } from '../features/words';

export default function Inbox() {
  const items = useInbox();
  return (
    <main class="page">
      <h1>Refused scans</h1>
      <Show when={items().length > 0} fallback={<p class="muted">Nothing refused. Every scan sent so far was accepted.</p>}>
        <ul class="inbox" data-testid="inbox-list">
          <For each={items()}>
            {(item) => (
              <li class="inbox-item">
                <p class="inbox-message">{item.message}</p>
                <p class="muted">
                  {mutationWords(item.name)} · scanned {new Date(item.clientTime).toLocaleString()}
                </p>
                <p class="inbox-todo">{refusalWords(item.code).todo}</p>
                <div class="row">
                  <Show when={typeof item.args.childCode === 'string'}>
                    <A class="button button-quiet" href={`/search?code=${encodeURIComponent(String(item.args.childCode))}`}>
                      Look up {String(item.args.childCode)}
                    </A>
                  </Show>
                  <Show when={item.name.startsWith('return.') && typeof item.args.ticketId === 'string'}>
                    <A class="button button-quiet" href={`/returns/${encodeURIComponent(String(item.args.ticketId))}`}>
                      Open the return ticket
                    </A>
                  </Show>
                  <button type="button" class="button" onClick={() => void dismissRefusal(item.id)}>
                    Dealt with
                  </button>
                </div>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </main>
  );
}
