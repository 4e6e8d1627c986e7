import { createCipheriv, createDecipheriv, createHash, randomBytes, randomInt } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import type { TwoFactorEnrolment } from '@tracetrack/shared';

/*
 * TOTP (RFC 6238) through otpauth: SHA-1, 6 digits, 30-second steps, the defaults every
 * authenticator app reads from an otpauth:// URI. A code is accepted for the step before and
 * after the current one (clock drift); the step accepted last is stored, so a code works once.
 */
const ISSUER = 'TraceTrack';
const PERIOD_S = 30;
const DRIFT_STEPS = 1;

const totpOf = (secret: string, username: string) =>
  new TOTP({ issuer: ISSUER, label: username, algorithm: 'SHA1', digits: 6, period: PERIOD_S, secret: Secret.fromBase32(secret) });

/** 160 random bits, base32: what the app is given. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

export async function enrolmentOf(secret: string, username: string): Promise<TwoFactorEnrolment> {
  const otpauthUri = totpOf(secret, username).toString();
  // Loaded on first enrolment: the QR library is not needed to start or to sign in.
  const { default: QRCode } = await import('qrcode');
  const qrSvg = await QRCode.toString(otpauthUri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { secret, otpauthUri, qrSvg };
}

/** The time step a 6-digit code belongs to (within the drift window), or null when it matches none. */
export function totpStepOf(secret: string, username: string, code: string, now: Date): number | null {
  const totp = totpOf(secret, username);
  const delta = totp.validate({ token: code, timestamp: now.getTime(), window: DRIFT_STEPS });
  return delta === null ? null : totp.counter({ timestamp: now.getTime() }) + delta;
}

/** Recovery codes: 16 characters from 32 unambiguous ones (80 bits), shown as 4 groups of 4. */
const RECOVERY_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
export const RECOVERY_CODE_COUNT = 10;

export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = Array.from({ length: 16 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]).join('');
    return chars.match(/.{4}/g)!.join('-');
  });
}

/** As typed or as shown, the same code: spaces and dashes dropped, lower-cased (the schema does the same). */
export const normalizeRecoveryCode = (code: string) => code.replace(/[\s-]/g, '').toLowerCase();

/** 80 random bits need no slow hash: a stolen table cannot be searched faster than the codes are guessed. */
export const hashRecoveryCode = (code: string) => createHash('sha256').update(normalizeRecoveryCode(code)).digest('base64url');

/*
 * Decision (server/README.md, "TOTP secrets at rest"): with TWO_FACTOR_KEY set, secrets are stored
 * AES-256-GCM encrypted (`gcm:iv.tag.data`), so a copy of the database alone cannot make codes;
 * without it they are stored as they are (`plain:`). A secret that cannot be opened (the key
 * changed or went) matches no code; an admin resets that user's two-factor sign-in.
 */
export function sealSecret(secret: string, key: Buffer | null): string {
  if (!key) return `plain:${secret}`;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return `gcm:${[iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url')).join('.')}`;
}

export function openSecret(sealed: string, key: Buffer | null): string | null {
  if (sealed.startsWith('plain:')) return sealed.slice('plain:'.length);
  if (!sealed.startsWith('gcm:') || !key) return null;
  const [iv, tag, data] = sealed.slice('gcm:'.length).split('.').map((p) => Buffer.from(p, 'base64url'));
  if (!iv || !tag || !data) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
