import { onCleanup, onMount } from 'solid-js';
import { createLiveQuery } from '../local-db/live-query';
import { DEFAULT_SCANNER_SETTINGS, loadScannerSettings, type ScannerSettings, setMeta } from '../local-db/meta';
import { prepareFeedback } from './feedback';
import type { WedgeKey } from './wedge';
import { observeWedgeKeys, registerScanHandler, type ScanHandler, SCREEN_PRIORITY } from './wedge-router';

/** This device's scanner settings, live (the scanner test page edits them). */
export function useScannerSettings() {
  return createLiveQuery<ScannerSettings>(loadScannerSettings, DEFAULT_SCANNER_SETTINGS);
}

/** Registers a handler with the app's wedge router while the calling component is mounted. */
export function useScanHandler(handler: ScanHandler, priority = SCREEN_PRIORITY): void {
  onMount(() => onCleanup(registerScanHandler(handler, priority)));
}

/**
 * The calling screen receives wedge scans while it is mounted (the app-level router sends them);
 * partial scans too when it passes `onPartial`, otherwise the app-level notice reports them.
 */
export function useWedgeScanner(onScan: ScanHandler['onScan'], onPartial?: ScanHandler['onPartial']) {
  useScanHandler({ onScan, ...(onPartial ? { onPartial } : {}) });
  onMount(prepareFeedback);
  return useScannerSettings();
}

/** Every key the wedge listener sees while the calling component is mounted. */
export function useWedgeKeys(listener: (key: WedgeKey) => void): void {
  onMount(() => onCleanup(observeWedgeKeys(listener)));
}

export async function saveScannerSettings(settings: ScannerSettings): Promise<void> {
  await setMeta('scannerSettings', settings);
}
