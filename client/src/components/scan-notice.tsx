import { useLocation, useNavigate } from '@solidjs/router';
import { parseBagCode } from '@tracetrack/shared/codes';
import { createEffect, createSignal, on, Show } from 'solid-js';
import { currentUser } from '../features/auth/session';
import { signal } from '../scanner/feedback';
import { useScanHandler } from '../scanner/use-wedge';
import type { WedgeScan } from '../scanner/wedge';
import { FALLBACK_PRIORITY, handOffScan } from '../scanner/wedge-router';

interface Notice {
  text: string;
  scan: WedgeScan | null;
  isError: boolean;
}

/**
 * What a wedge scan does on a screen with no use for it: it says where the scan would go, with a
 * sound, and offers to take it there. No screen drops a scan silently. Partial scans on screens
 * that do not report them are reported here too.
 */
export function ScanNotice() {
  const navigate = useNavigate();
  const location = useLocation();
  const [notice, setNotice] = createSignal<Notice | null>(null);
  createEffect(on(() => location.pathname, () => setNotice(null), { defer: true }));

  const tell = (text: string, scan: WedgeScan | null, isError: boolean) => {
    setNotice({ text, scan, isError });
    signal(isError ? 'error' : 'queued');
  };
  useScanHandler({
    onScan: (scan) => {
      const parsed = parseBagCode(scan.code);
      if (!currentUser()) return tell(`Scanned ${parsed.code || 'a label'}: sign in first, then scan it again. Nothing was saved.`, null, true);
      if (parsed.kind === 'invalid') return tell(`Scanned "${parsed.code}": that is not a bag code. Nothing was saved.`, null, true);
      tell(`Scanned ${parsed.code} — open Scan?`, { ...scan, code: parsed.code }, false);
    },
    onPartial: () => tell('Partial scan — scan again. Nothing was saved.', null, true),
  }, FALLBACK_PRIORITY);

  const openScan = (scan: WedgeScan) => {
    setNotice(null);
    handOffScan(scan);
    navigate('/scan');
  };

  return (
    <Show when={notice()}>
      {(n) => (
        <div class="scan-notice" classList={{ 'is-error': n().isError }} role="alert" data-testid="scan-notice">
          <p>{n().text}</p>
          <div class="row">
            <Show when={n().scan}>
              {(scan) => (
                <>
                  <button type="button" class="button" onClick={() => openScan(scan())}>
                    Open Scan
                  </button>
                  <button type="button" class="button button-quiet" onClick={() => navigate(`/search?code=${encodeURIComponent(scan().code)}`)}>
                    Look up
                  </button>
                </>
              )}
            </Show>
            <button type="button" class="button button-quiet" onClick={() => setNotice(null)}>
              Dismiss
            </button>
          </div>
        </div>
      )}
    </Show>
  );
}
