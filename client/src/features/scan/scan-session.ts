import { ACCEPTED_FORMATS_TEXT, parseBagCode } from '@tracetrack/shared/codes';
import type { MutationArgs } from '@tracetrack/shared';
import { createSignal, onCleanup } from 'solid-js';
import { localDb, type OutcomeRow } from '../../local-db/db';
import { currentParentKeyOf, getMeta, type ScannerSettings, setMeta } from '../../local-db/meta';
import { enqueueMutation } from '../../local-db/outbox';
import { syncEngine } from '../../local-db/sync-engine';
import { misreadOf } from '../../scanner/accepted-codes';
import { signal } from '../../scanner/feedback';
import { currentUser } from '../auth/session';
import { mutationWords } from '../words';
import { foreseeLinkRefusal } from './parent-view';

export type FeedbackKind = 'ok' | 'error' | 'pending' | 'warning';

export interface Feedback {
  kind: FeedbackKind;
  code: string;
  text: string;
  /** Why the server will most likely refuse this scan, known on the device at once (still queued). */
  warning?: string;
  /** Bumped on every feedback so the flash restarts even for the same kind. */
  serial: number;
}

/** A refused scan as the screen lists it after a sync. */
export interface Refusal {
  id: string;
  what: string;
  message: string;
}

/**
 * Resolves once the frame showing a scan's feedback is painted (at most 50 ms, also in a hidden
 * tab that paints nothing). Queueing waits for it: the outbox write and the screens re-reading
 * the store would otherwise delay that frame by several on a slow handheld, and the operator
 * scans by the beep and the flash. The scan is in memory only for that frame.
 */
const afterPaint = () => new Promise<void>((resolve) => {
  const timer = setTimeout(resolve, 50);
  requestAnimationFrame(() => setTimeout(() => (clearTimeout(timer), resolve()), 0));
});

const PARTIAL_TEXT = 'Partial scan — scan again. Nothing was saved.';

const toRefusal = (o: OutcomeRow): Refusal => ({
  id: o.id,
  what: String(o.args.childCode ?? o.args.code ?? o.args.parentCode ?? mutationWords(o.name)),
  message: o.message,
});

/**
 * The handheld scan workflow: a parent, then a stream of children. Every scan is queued in the
 * outbox and sent by the sync engine (online or not); the screen shows the scan at once as
 * waiting, with a warning when the device already knows it will be refused, then the server's
 * outcome when it arrives.
 */
export function createScanSession(settings: () => ScannerSettings) {
  const [currentParent, setCurrentParentSignal] = createSignal<string | null>(null);
  const [feedback, setFeedback] = createSignal<Feedback | null>(null);
  const [refusals, setRefusals] = createSignal<Refusal[]>([]);
  const mine = new Set<string>();
  let serial = 0;
  let newestSeq = 0;
  // True while the newest thing on screen is a refusal made here (a misread, a partial scan): an
  // earlier scan's success arriving from the server must not replace it, or the operator looking
  // up at the screen sees green for a label that was never saved.
  let isRefusedHereNewest = false;

  // Per user: on a shared handheld the next user starts with no parent, not the previous user's.
  // The screen only exists while someone is signed in (sign-out leaves it for /login). Scans that
  // arrive before the parent is read back (keys typed while the app started) wait for it.
  const userId = currentUser()?.id;
  const restored: Promise<void> = userId === undefined
    ? Promise.resolve()
    : getMeta(currentParentKeyOf(userId)).then((code) => {
      if (code && currentParent() === null) setCurrentParentSignal(code);
    }, () => undefined);

  const setCurrentParent = (code: string | null) => {
    setCurrentParentSignal(code);
    if (userId !== undefined) void setMeta(currentParentKeyOf(userId), code);
  };

  const show = (kind: FeedbackKind, code: string, text: string, warning?: string) =>
    setFeedback({ kind, code, text, ...(warning ? { warning } : {}), serial: ++serial });

  /**
   * The sync engine pushes only the signed-in user's scans, so every refusal here is theirs: all
   * are announced together (count and list), whichever tab or session scanned them.
   */
  function showOutcomes(outcomes: OutcomeRow[]) {
    const refused = outcomes.filter((o) => o.status === 'rejected');
    const ownAccepted = outcomes.filter((o) => mine.has(o.id) && o.status !== 'rejected');
    for (const o of outcomes) mine.delete(o.id);
    for (const o of refused) {
      if (o.name === 'parent.scan' && String(o.args.code ?? '').toUpperCase() === currentParent()) setCurrentParent(null);
    }
    if (refused.length > 0) {
      setRefusals((r) => [...refused.map(toRefusal).reverse(), ...r]);
      const first = refused[0]!;
      const text = refused.length === 1 ? first.message : `${refused.length} scans were refused: ${refused.map((o) => toRefusal(o).what).join(', ')}. See the list below.`;
      show('error', refused.length === 1 ? toRefusal(first).what : '', text);
      signal('error');
      return;
    }
    const shown = ownAccepted.at(-1);
    // A success older than the newest scan would hide that scan's "waiting" (or its warning), or
    // a refusal made here since.
    if (!shown || shown.seq < newestSeq || isRefusedHereNewest) return;
    show('ok', String(shown.args.childCode ?? shown.args.code ?? ''), shown.message);
    signal('ok');
  }
  onCleanup(syncEngine.onOutcomes(showOutcomes));

  /** A scan refused on the device: nothing is queued, and the screen says why. */
  function refuseHere(code: string, text: string) {
    isRefusedHereNewest = true;
    show('error', code, text);
    signal('error');
  }

  function track(row: { id: string; seq: number }) {
    isRefusedHereNewest = false;
    mine.add(row.id);
    newestSeq = Math.max(newestSeq, row.seq);
    syncEngine.kick();
  }

  async function queue<N extends 'parent.scan' | 'child.unlink'>(name: N, args: MutationArgs<N>) {
    const user = currentUser();
    if (!user) return;
    track(await enqueueMutation(user.id, name, args));
  }

  /** Judges and queues a link in one transaction, so two quick scans never judge the same count. */
  async function queueLink(parentCode: string, childCode: string): Promise<string | null> {
    const user = currentUser();
    if (!user) return null;
    const { row, warning } = await localDb.transaction('rw', [localDb.meta, localDb.outbox, localDb.parents], async () => {
      const warning = await foreseeLinkRefusal(user.id, parentCode, childCode);
      return { row: await enqueueMutation(user.id, 'child.link', { parentCode, childCode }), warning };
    });
    track(row);
    return warning;
  }

  /** One scanned or typed code. Format errors and misreads are refused here; everything else is the server's call. */
  async function handleCode(raw: string) {
    await restored;
    isRefusedHereNewest = false;
    const parsed = parseBagCode(raw);
    if (parsed.kind === 'invalid') return refuseHere(parsed.code, `"${parsed.code}" is not a bag code. Accepted: ${ACCEPTED_FORMATS_TEXT}.`);
    const misread = misreadOf(parsed, settings().accepted);
    if (misread) return refuseHere(parsed.code, misread);
    if (parsed.kind === 'parent') {
      setCurrentParent(parsed.code);
      show('pending', parsed.code, `Parent ${parsed.code}: scan its children`);
      signal('queued');
      await queue('parent.scan', { code: parsed.code });
      return;
    }
    const parent = currentParent();
    if (!parent) return refuseHere(parsed.code, `${parsed.code} is a child bag. Scan a parent bag first (${ACCEPTED_FORMATS_TEXT.split(', or')[0]}).`);
    const where = syncEngine.status().isOnline ? 'sending' : 'saved on this device, sent when online';
    const text = `${parsed.code} → ${parent} (${where})`;
    show('pending', parsed.code, text);
    signal('queued');
    await afterPaint();
    const warning = await queueLink(parent, parsed.code);
    if (warning) {
      show('warning', parsed.code, text, warning);
      signal('error');
    }
  }

  function handlePartial() {
    refuseHere('', PARTIAL_TEXT);
  }

  async function undoChild(childCode: string) {
    show('pending', childCode, `Undo: taking ${childCode} out of ${currentParent() ?? 'its parent'}`);
    await queue('child.unlink', { childCode });
  }

  return { currentParent, setCurrentParent, feedback, refusals, dismissRefusals: () => setRefusals([]), handleCode, handlePartial, undoChild };
}
