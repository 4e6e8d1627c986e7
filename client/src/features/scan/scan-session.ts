import { ACCEPTED_FORMATS_TEXT, parseBagCode } from '@tracetrack/shared/codes';
import type { MutationArgs } from '@tracetrack/shared';
import { createSignal, onCleanup } from 'solid-js';
import type { OutcomeRow } from '../../local-db/db';
import { currentParentKeyOf, getMeta, setMeta } from '../../local-db/meta';
import { enqueueMutation } from '../../local-db/outbox';
import { syncEngine } from '../../local-db/sync-engine';
import { signal } from '../../scanner/feedback';
import { currentUser } from '../auth/session';

export type FeedbackKind = 'ok' | 'error' | 'pending';

export interface Feedback {
  kind: FeedbackKind;
  code: string;
  text: string;
  /** Bumped on every feedback so the flash restarts even for the same kind. */
  serial: number;
}

/**
 * The handheld scan workflow: a parent, then a stream of children. Every scan is queued in the
 * outbox and sent by the sync engine (online or not); the screen shows the scan at once as
 * waiting, then the server's outcome when it arrives.
 */
export function createScanSession() {
  const [currentParent, setCurrentParentSignal] = createSignal<string | null>(null);
  const [feedback, setFeedback] = createSignal<Feedback | null>(null);
  const mine = new Set<string>();
  let serial = 0;
  let newestSeq = 0;

  // Per user: on a shared handheld the next user starts with no parent, not the previous user's.
  // The screen only exists while someone is signed in (sign-out leaves it for /login).
  const userId = currentUser()?.id;
  if (userId !== undefined) {
    void getMeta(currentParentKeyOf(userId)).then((code) => {
      if (code && currentParent() === null) setCurrentParentSignal(code);
    });
  }

  const setCurrentParent = (code: string | null) => {
    setCurrentParentSignal(code);
    if (userId !== undefined) void setMeta(currentParentKeyOf(userId), code);
  };

  const show = (kind: FeedbackKind, code: string, text: string) => setFeedback({ kind, code, text, serial: ++serial });

  function showOutcomes(outcomes: OutcomeRow[]) {
    const own = outcomes.filter((o) => mine.has(o.id));
    if (own.length === 0) return;
    const refused = own.filter((o) => o.status === 'rejected');
    for (const o of own) mine.delete(o.id);
    for (const o of refused) {
      if (o.name === 'parent.scan' && String(o.args.code ?? '').toUpperCase() === currentParent()) setCurrentParent(null);
    }
    const shown = refused.at(-1) ?? own.at(-1)!;
    // A success older than the newest scan would hide that scan's "waiting"; refusals always show.
    if (shown.status !== 'rejected' && shown.seq < newestSeq) return;
    show(shown.status === 'rejected' ? 'error' : 'ok', String(shown.args.childCode ?? shown.args.code ?? ''), shown.message);
    signal(shown.status === 'rejected' ? 'error' : 'ok');
  }
  onCleanup(syncEngine.onOutcomes(showOutcomes));

  async function queue<N extends 'parent.scan' | 'child.link' | 'child.unlink'>(name: N, args: MutationArgs<N>) {
    const user = currentUser();
    if (!user) return;
    const row = await enqueueMutation(user.id, name, args);
    mine.add(row.id);
    newestSeq = Math.max(newestSeq, row.seq);
    syncEngine.kick();
  }

  /** One scanned or typed code. Format errors are refused here; everything else is the server's call. */
  async function handleCode(raw: string) {
    const parsed = parseBagCode(raw);
    if (parsed.kind === 'invalid') {
      show('error', parsed.code, `"${parsed.code}" is not a bag code. Accepted: ${ACCEPTED_FORMATS_TEXT}.`);
      signal('error');
      return;
    }
    if (parsed.kind === 'parent') {
      setCurrentParent(parsed.code);
      show('pending', parsed.code, `Parent ${parsed.code}: scan its children`);
      signal('queued');
      await queue('parent.scan', { code: parsed.code });
      return;
    }
    const parent = currentParent();
    if (!parent) {
      show('error', parsed.code, `${parsed.code} is a child bag. Scan a parent bag first (${ACCEPTED_FORMATS_TEXT.split(', or')[0]}).`);
      signal('error');
      return;
    }
    const where = syncEngine.status().isOnline ? 'sending' : 'saved on this device, sent when online';
    show('pending', parsed.code, `${parsed.code} → ${parent} (${where})`);
    signal('queued');
    await queue('child.link', { parentCode: parent, childCode: parsed.code });
  }

  async function undoChild(childCode: string) {
    show('pending', childCode, `Undo: removing ${childCode} from ${currentParent() ?? 'its parent'}`);
    await queue('child.unlink', { childCode });
  }

  return { currentParent, setCurrentParent, feedback, handleCode, undoChild };
}
