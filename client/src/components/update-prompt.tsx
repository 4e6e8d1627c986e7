import { Show } from 'solid-js';
import { useServiceWorker } from '../pwa/register';

export function UpdatePrompt() {
  const sw = useServiceWorker();
  const [needRefresh, setNeedRefresh] = sw.needRefresh;
  return (
    <Show when={needRefresh()}>
      <div class="update-prompt" role="alert">
        <span>A new version of TraceTrack is available.</span>
        <button type="button" class="button" onClick={() => void sw.updateServiceWorker(true)}>
          Update now
        </button>
        <button type="button" class="button button-quiet" onClick={() => setNeedRefresh(false)}>
          Later
        </button>
      </div>
    </Show>
  );
}
