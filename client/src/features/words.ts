import type { AppErrorCode, MutationName, Role } from '@tracetrack/shared';

/**
 * Words for people: every refusal code and every kind of queued write, in plain language. Screens
 * show these (or the server's own sentence, which names the bags), never a code. Typed against the
 * closed unions in shared/, and a unit test checks the lists at run time too.
 */
export interface RefusalWords {
  /** What happened, as a sentence. */
  says: string;
  /** What the person can do about it. */
  todo: string;
}

export const REFUSAL_WORDS: Record<AppErrorCode, RefusalWords> = {
  VALIDATION: { says: 'Something in this request was not accepted.', todo: 'Check what you entered and try again.' },
  INVALID_CODE: { says: 'This is not a TraceTrack bag code.', todo: 'Scan the label again, or type the code printed on the bag.' },
  WRONG_BAG_TYPE: { says: 'Parent and child labels were mixed up.', todo: 'Parent and child codes never swap. Check which label you scanned.' },
  BAG_NOT_FOUND: { says: 'This bag is not registered yet.', todo: 'Scan the parent bag first, then its children.' },
  CHILD_IN_OTHER_PARENT: {
    says: 'This child bag is already in another parent.',
    todo: 'Find the bag: if it belongs here, unlink it from the other parent (or ask a biller), then scan it again.',
  },
  CHILD_NOT_LINKED: { says: 'This child bag is not in any parent.', todo: 'Nothing to undo.' },
  PARENT_FULL: { says: 'The parent bag is already full.', todo: 'Put the bag in a new parent and scan it there.' },
  UNLINK_NOT_ALLOWED: { says: 'You cannot take this bag out any more.', todo: 'Only a biller or admin can unlink it now. Ask them.' },
  BAG_IN_USE: { says: 'This bag is still linked or on a bill.', todo: 'Unlink it and take it off its bill first.' },
  BILL_NOT_FOUND: { says: 'There is no bill with this number.', todo: 'Check the bill number.' },
  BILL_EXISTS: { says: 'A bill with this number already exists.', todo: 'Open that bill, or choose another number.' },
  BILL_FULL: { says: 'The bill already has all its parent bags.', todo: 'Raise the bill’s capacity, or start another bill.' },
  BILL_EMPTY: { says: 'The bill has no parent bags yet.', todo: 'Add at least one parent before completing it.' },
  BILL_COMPLETED: { says: 'The bill is completed, so it is locked.', todo: 'Ask a biller to reopen the bill.' },
  BILL_NOT_COMPLETED: { says: 'The bill is not completed.', todo: 'Nothing to reopen.' },
  BILL_SHORT_NOT_CONFIRMED: { says: 'The bill has fewer parents than planned.', todo: 'Confirm that it leaves short, or add the missing parents.' },
  CAPACITY_BELOW_COUNT: { says: 'The bill already holds more parents than that.', todo: 'Choose a capacity at least the number of parents on it.' },
  PARENT_ON_OTHER_BILL: { says: 'This parent bag is already on another bill.', todo: 'Remove it from that bill first, or leave it there.' },
  PARENT_NOT_ON_BILL: { says: 'This parent bag is not on this bill.', todo: 'Nothing to remove.' },
  UNAUTHENTICATED: { says: 'You are signed out.', todo: 'Sign in again; your waiting scans are kept.' },
  INVALID_CREDENTIALS: { says: 'Wrong username or password.', todo: 'Try again.' },
  ACCOUNT_LOCKED: { says: 'This account is locked for now.', todo: 'Wait, or ask an admin to unlock it.' },
  RATE_LIMITED: { says: 'Too many tries in a short time.', todo: 'Wait a moment, then try again.' },
  FORBIDDEN: { says: 'Your role cannot do this.', todo: 'Ask a biller or admin.' },
  USER_NOT_FOUND: { says: 'There is no such user.', todo: 'Check the username.' },
  USERNAME_TAKEN: { says: 'This username is taken.', todo: 'Choose another username.' },
  EMAIL_TAKEN: { says: 'This email address is already used.', todo: 'Use another email address.' },
  WEAK_PASSWORD: { says: 'This password is too easy to guess.', todo: 'Use 12 or more characters, not a common password and not your username.' },
  LAST_ADMIN: { says: 'This is the last admin.', todo: 'Make someone else an admin first.' },
  OWN_ROLE: { says: 'Nobody changes their own role.', todo: 'Ask another admin.' },
  AREA_REQUIRED: { says: 'A dispatcher needs a dispatch area.', todo: 'Choose an area.' },
  AREA_NOT_ALLOWED: { says: 'Only dispatchers have a dispatch area.', todo: 'Leave the area empty for billers and admins.' },
  AREA_NOT_FOUND: { says: 'There is no such dispatch area.', todo: 'Choose one of the listed areas.' },
  AREA_FULL: { says: 'This area already has its maximum of dispatchers.', todo: 'Choose another area, or move a dispatcher out first.' },
  DEVICE_NOT_REGISTERED: { says: 'This handheld is not registered yet.', todo: 'It registers by itself; keep it online for a moment.' },
  DEVICE_OTHER_USER: { says: 'This handheld was registered to someone else.', todo: 'It takes a new id by itself; keep it online for a moment.' },
  ID_REUSED: { says: 'This scan’s id was already used for something else.', todo: 'Scan the bag again.' },
  PUSH_IN_PROGRESS: { says: 'This handheld is already sending.', todo: 'Nothing to do: it tries again by itself.' },
  TRANSIENT: { says: 'The server is busy for a moment.', todo: 'Nothing to do: it tries again by itself.' },
  INTERNAL: { says: 'Something went wrong on the server.', todo: 'Try again; tell an admin if it keeps happening.' },
  IMPORT_NOT_FOUND: { says: 'This import does not exist.', todo: 'Open it again from the history of imports.' },
  IMPORT_RUNNING: { says: 'This import is being read, checked or imported right now.', todo: 'Wait for its progress bar to finish.' },
  IMPORT_FINISHED: { says: 'There is nothing left to do for this import.', todo: 'Upload the file again to import it anew.' },
  FILE_UNREADABLE: { says: 'The file could not be read as a CSV or XLSX file of this kind.', todo: 'Check the file and its header row, then upload it again.' },
  ROW_INVALID: { says: 'This row of the file could not be read.', todo: 'Correct the row in the file and import it again.' },
  ROW_DUPLICATE: { says: 'This code appears earlier in the same file.', todo: 'Remove the repeated row and import the file again.' },
  BATCH_ORPHANED: { says: 'No parent row closes this batch of children.', todo: 'Add the parent row after the children and import again.' },
  BATCH_OVER_CAPACITY: { says: 'This batch holds more children than its parent bag can.', todo: 'Split the batch between two parents and import again.' },
  BATCH_REFUSED: { says: 'This row was left out because another row of its batch was refused.', todo: 'Fix the refused row; importing again adds the rest.' },
  PARENT_IN_OTHER_AREA: { says: 'This parent bag belongs to another dispatch area.', todo: 'Scan into a parent of your own area, or ask a biller.' },
  PROMOTION_PENDING: { says: 'You already asked for a role, and an admin has not decided yet.', todo: 'Wait for the decision.' },
  PROMOTION_NOT_FOUND: { says: 'There is no such role request.', todo: 'Reload the list.' },
  PROMOTION_DECIDED: { says: 'This role request was already decided.', todo: 'Reload the list to see the decision.' },
  PROMOTION_SAME_ROLE: { says: 'This role is already held.', todo: 'Choose another role, or decline the request.' },
  ROUTE_NOT_FOUND: { says: 'There is no such page or download on the server.', todo: 'Go back and try again from the menu; the app may need updating.' },
  LABEL_CODES_TAKEN: { says: 'Some of these label codes are already bags or were reserved before.', todo: 'Choose another range, or reprint the earlier reservation.' },
  LABEL_CODES_EXHAUSTED: { says: 'There are not that many unused codes left in this format.', todo: 'Reserve fewer codes, or use the other parent format.' },
  RESERVATION_NOT_FOUND: { says: 'That label reservation does not exist.', todo: 'Open the list of reservations and pick one from there.' },
  CLIENT_LOCKED: { says: 'Too many failed sign-ins from this device.', todo: 'Wait a few minutes, or sign in from another device.' },
  TWO_FACTOR_REQUIRED: { says: 'This account also needs a code.', todo: 'Enter the 6-digit code from your authenticator app, or a recovery code.' },
  TWO_FACTOR_INVALID: { says: 'That code is wrong or was already used.', todo: 'Enter the newest code from your app, or an unused recovery code.' },
  TWO_FACTOR_ENROLMENT_REQUIRED: { says: 'Admins must use two-factor sign-in.', todo: 'Set it up on the screen that opens after signing in.' },
  TWO_FACTOR_ALREADY_ENABLED: { says: 'Two-factor sign-in is already on.', todo: 'Nothing to do.' },
  TWO_FACTOR_NOT_ENABLED: { says: 'Two-factor sign-in is off for this account.', todo: 'Nothing to do.' },
  TWO_FACTOR_NOT_STARTED: { says: 'Setting up two-factor sign-in was not started.', todo: 'Start again and scan the new QR code.' },
  PASSWORD_CHANGE_REQUIRED: { says: 'Your password was set by an admin.', todo: 'Choose your own password on the screen that opens after signing in.' },
  WRONG_PASSWORD: { says: 'That is not your current password.', todo: 'Type your current password again.' },
  RESET_TOKEN_INVALID: { says: 'This reset link has expired or was already used.', todo: 'Ask for a new link.' },
  ACCOUNT_DEACTIVATED: { says: 'This account has been deactivated.', todo: 'Ask an admin if you need access again.' },
  SESSION_NOT_FOUND: { says: 'That session has already ended.', todo: 'Nothing to do.' },
  TICKET_NOT_FOUND: { says: 'There is no such return ticket.', todo: 'Open it again from the list of return tickets.' },
  TICKET_CLOSED: { says: 'This return ticket is finalised or cancelled.', todo: 'Open a new return ticket to scan more bags.' },
  TICKET_EMPTY: { says: 'This return ticket has no bags yet.', todo: 'Scan at least one returned parent before finalising, or cancel the ticket.' },
  ALREADY_ON_TICKET: { says: 'This parent bag is already on this return ticket.', todo: 'Nothing to do: scan the next bag.' },
  ON_OTHER_TICKET: { says: 'This parent bag is on another open return ticket.', todo: 'Finish or cancel that ticket first, or leave the bag there.' },
  NOT_ON_A_BILL: { says: 'This parent bag is not on any bill, so there is nothing to return it from.', todo: 'Check the code; a bag that never left needs no return.' },
};

/** What each kind of queued write is called on screen. */
export const MUTATION_WORDS: Record<MutationName, string> = {
  'parent.scan': 'Parent scan',
  'child.link': 'Child into parent',
  'child.unlink': 'Child taken out',
  'bill.create': 'New bill',
  'bill.addParent': 'Parent onto bill',
  'bill.removeParent': 'Parent off bill',
  'bill.complete': 'Bill completed',
  'return.create': 'New return ticket',
  'return.scan': 'Parent returned',
  'return.finalize': 'Return ticket finalised',
  'return.cancel': 'Return ticket cancelled',
};

export const ROLE_WORDS: Record<Role, string> = { admin: 'Admin', biller: 'Biller', dispatcher: 'Dispatcher' };

const UNKNOWN: RefusalWords = { says: 'This was refused.', todo: 'Check the bag and scan it again; ask a supervisor if it keeps failing.' };

export function refusalWords(code: AppErrorCode | null | undefined): RefusalWords {
  return (code && REFUSAL_WORDS[code]) || UNKNOWN;
}

export function mutationWords(name: string): string {
  return Object.hasOwn(MUTATION_WORDS, name) ? MUTATION_WORDS[name as MutationName] : 'Scan';
}
