/**
 * Numbers and times as the people using TraceTrack read them. The warehouses are in India, and a
 * handheld's browser language is often left at en-US, so the app's locale is fixed rather than
 * taken from the browser: 1,00,000 (lakh grouping), dates day first.
 */
export const APP_LOCALE = 'en-IN';

const number = new Intl.NumberFormat(APP_LOCALE);
const signed = new Intl.NumberFormat(APP_LOCALE, { signDisplay: 'exceptZero' });
const dateTime = new Intl.DateTimeFormat(APP_LOCALE, { dateStyle: 'medium', timeStyle: 'short' });

export const formatNumber = (n: number) => number.format(n);
export const formatKg = (n: number) => `${number.format(n)} kg`;
/** A variance: "+3 kg", "-12 kg", "0 kg". */
export const formatSignedKg = (n: number) => `${signed.format(n)} kg`;
export const formatDateTime = (at: string | number | Date) => dateTime.format(typeof at === 'string' ? new Date(at) : at);
