import type { AppErrorCode } from '@tracetrack/shared';
import { localDb } from '../../local-db/db';
import { createLiveQuery } from '../../local-db/live-query';

export function useInbox() {
  return createLiveQuery(() => localDb.inbox.orderBy('receivedAt').reverse().toArray(), []);
}

export async function dismissRefusal(id: string): Promise<void> {
  await localDb.inbox.delete(id);
}

/** What the operator should do about each kind of refusal. */
export function whatToDo(code: AppErrorCode | null): string {
  switch (code) {
    case 'CHILD_IN_OTHER_PARENT':
      return 'Find the bag: if it belongs here, ask a biller to unlink it from the other parent, then scan it again.';
    case 'PARENT_FULL':
      return 'This parent is full. Put the bag in a new parent and scan it there.';
    case 'WRONG_BAG_TYPE':
      return 'Parent and child codes never swap. Check which label you scanned.';
    case 'INVALID_CODE':
      return 'The label is not a TraceTrack code. Re-scan, or type the code printed on the bag.';
    case 'BAG_NOT_FOUND':
      return 'Scan the parent bag first, then its children.';
    case 'BILL_COMPLETED':
      return 'The parent is on a completed bill. Ask a biller to reopen the bill.';
    case 'UNLINK_NOT_ALLOWED':
      return 'Only a biller or admin can undo this now. Ask them to unlink the bag.';
    case 'CHILD_NOT_LINKED':
      return 'Nothing to undo: the bag is not in any parent.';
    case 'FORBIDDEN':
      return 'Your role cannot do this. Ask a biller or admin.';
    default:
      return 'Check the bag and scan it again; ask a supervisor if it keeps failing.';
  }
}
