import type { LiveMode } from '../features/live/follow-live';

const TEXT: Record<LiveMode, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  polling: 'Live updates interrupted: refreshing every few seconds',
};

/** Says whether the figures on a live screen follow changes as they happen or are polled. */
export function LiveBadge(props: { mode: LiveMode }) {
  return (
    <span class={`live-badge live-${props.mode}`} data-testid="live-status" data-mode={props.mode} role="status">
      {TEXT[props.mode]}
    </span>
  );
}
