import type { Me } from '@tracetrack/shared';
import { localDb } from './db';

/** Typed keys of the meta table: one place that says what the device remembers. */
export interface MetaValues {
  deviceId: string;
  /** Highest seq handed out on this device; the next outbox row gets lastSeq + 1. */
  lastSeq: number;
  /** The user the server has this device registered to. */
  registeredUserId: number;
  /** The last signed-in user, so the app opens offline. Cleared on sign-out. */
  me: Me | null;
  pullCursor: { userId: number; cursor: string };
  scannerSettings: ScannerSettings;
  /** The parent the scan screen is filling, kept across reloads. */
  currentParent: string | null;
}

export interface ScannerSettings {
  /** Longest gap between two keys of one wedge burst. */
  maxInterKeyMs: number;
  /** Prefixes some scanners put before the code (AIM symbology ids such as ]Q1). */
  prefixes: string[];
  /** Fewest characters a burst needs before Enter to count as a scan. */
  minLength: number;
}

export const DEFAULT_SCANNER_SETTINGS: ScannerSettings = { maxInterKeyMs: 50, prefixes: [']C1', ']Q1', ']d2', ']E0'], minLength: 3 };

export async function getMeta<K extends keyof MetaValues>(key: K): Promise<MetaValues[K] | undefined> {
  return (await localDb.meta.get(key))?.value as MetaValues[K] | undefined;
}

export async function setMeta<K extends keyof MetaValues>(key: K, value: MetaValues[K]): Promise<void> {
  await localDb.meta.put({ key, value });
}

/** The device id is generated once, on the device, and never changes. */
export async function ensureDeviceId(): Promise<string> {
  return localDb.transaction('rw', localDb.meta, async () => {
    const existing = await getMeta('deviceId');
    if (existing) return existing;
    const id = crypto.randomUUID();
    await setMeta('deviceId', id);
    return id;
  });
}
