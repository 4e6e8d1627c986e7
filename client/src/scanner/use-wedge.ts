import { onCleanup, onMount } from 'solid-js';
import { createLiveQuery } from '../local-db/live-query';
import { DEFAULT_SCANNER_SETTINGS, getMeta, type ScannerSettings, setMeta } from '../local-db/meta';
import { attachWedgeListener, type WedgeKey, type WedgeScan } from './wedge';

/** This device's scanner settings, live (the scanner test page edits them). */
export function useScannerSettings() {
  return createLiveQuery<ScannerSettings>(async () => ({ ...DEFAULT_SCANNER_SETTINGS, ...(await getMeta('scannerSettings')) }), DEFAULT_SCANNER_SETTINGS);
}

/** Listens for wedge scans while the calling component is mounted. */
export function useWedgeScanner(onScan: (scan: WedgeScan) => void, onKey?: (key: WedgeKey) => void) {
  const settings = useScannerSettings();
  onMount(() => {
    const detach = attachWedgeListener({ settings, onScan, ...(onKey ? { onKey } : {}) });
    onCleanup(detach);
  });
  return settings;
}

export async function saveScannerSettings(settings: ScannerSettings): Promise<void> {
  await setMeta('scannerSettings', settings);
}
