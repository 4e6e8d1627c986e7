import type { Area, Me } from '@tracetrack/shared';
import { type AcceptedPatterns, DEFAULT_ACCEPTED_PATTERNS } from '../scanner/accepted-codes';
import type { WedgeTiming } from '../scanner/wedge-detector';
import { localDb } from './db';

/** Typed keys of the meta table: one place that says what the device remembers. */
export interface MetaValues {
  /** Each user's device id on this handheld (device-identity.ts). */
  [userDevice: `device:${number}`]: DeviceIdentity;
  /** Before device ids were per user: the handheld's one id, its last seq and the user it was registered to. */
  deviceId: string;
  lastSeq: number;
  registeredUserId: number;
  /** The last signed-in user, so the app opens offline. Cleared on sign-out. */
  me: Me | null;
  /**
   * Someone signed out here and auth.logout has not ended their server session yet (signed out
   * offline; the cookie is HttpOnly): nobody is signed in, whatever auth.me answers, until it has
   * or someone signs in (features/auth/session.ts).
   */
  isLogoutPending: boolean;
  pullCursor: { userId: number; cursor: string };
  /** The dispatch areas and their display names as the server last listed them (features/areas). */
  areas: Area[];
  scannerSettings: ScannerSettings;
  /**
   * The parent each user's scan screen is filling, kept across reloads and sign-outs. (Before it
   * was per user, one `currentParent` key held the handheld's, whoever had scanned it; not read.)
   */
  [userParent: `currentParent:${number}`]: string | null;
}

export const currentParentKeyOf = (userId: number) => `currentParent:${userId}` as const;

export interface DeviceIdentity {
  deviceId: string;
  /** Highest seq handed out under this id; the user's next outbox row gets lastSeq + 1. */
  lastSeq: number;
  /** device.register answered for this id (and raised lastSeq to the server's). */
  isRegistered: boolean;
}

/** This device's scanner, set on /scanner-test. Stored values lacking a newer field take its default. */
export interface ScannerSettings extends WedgeTiming {
  /** Prefixes some scanners put before the code (AIM symbology ids such as ]Q1). */
  prefixes: string[];
  /** The site's label patterns; a scan outside them is refused as a misread. */
  accepted: AcceptedPatterns;
}

export const DEFAULT_SCANNER_SETTINGS: ScannerSettings = {
  maxInterKeyMs: 50,
  prefixes: [']C1', ']Q1', ']d2', ']E0'],
  minLength: 3,
  joinWindowMs: 1000,
  accepted: DEFAULT_ACCEPTED_PATTERNS,
};

export async function loadScannerSettings(): Promise<ScannerSettings> {
  const stored = await getMeta('scannerSettings');
  return { ...DEFAULT_SCANNER_SETTINGS, ...stored, accepted: { ...DEFAULT_ACCEPTED_PATTERNS, ...stored?.accepted } };
}

export async function getMeta<K extends keyof MetaValues>(key: K): Promise<MetaValues[K] | undefined> {
  return (await localDb.meta.get(key))?.value as MetaValues[K] | undefined;
}

export async function setMeta<K extends keyof MetaValues>(key: K, value: MetaValues[K]): Promise<void> {
  await localDb.meta.put({ key, value });
}
