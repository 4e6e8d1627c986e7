/** The closed set of refusal codes. The client branches on these, never on message text. */
export const APP_ERROR_CODES = [
  'VALIDATION',
  'INVALID_CODE',
  'WRONG_BAG_TYPE',
  'BAG_NOT_FOUND',
  'CHILD_IN_OTHER_PARENT',
  'CHILD_NOT_LINKED',
  'PARENT_FULL',
  'UNLINK_NOT_ALLOWED',
  'BAG_IN_USE',
  'BILL_NOT_FOUND',
  'BILL_EXISTS',
  'BILL_FULL',
  'BILL_EMPTY',
  'BILL_COMPLETED',
  'BILL_NOT_COMPLETED',
  'BILL_SHORT_NOT_CONFIRMED',
  'CAPACITY_BELOW_COUNT',
  'PARENT_ON_OTHER_BILL',
  'PARENT_NOT_ON_BILL',
  'UNAUTHENTICATED',
  'INVALID_CREDENTIALS',
  'ACCOUNT_LOCKED',
  'RATE_LIMITED',
  'FORBIDDEN',
  'USER_NOT_FOUND',
  'USERNAME_TAKEN',
  'EMAIL_TAKEN',
  'WEAK_PASSWORD',
  'LAST_ADMIN',
  'OWN_ROLE',
  'AREA_REQUIRED',
  'AREA_NOT_ALLOWED',
  'AREA_NOT_FOUND',
  'AREA_FULL',
  'DEVICE_NOT_REGISTERED',
  /** The device id belongs to another user: the device registers a new id for this user. */
  'DEVICE_OTHER_USER',
  'ID_REUSED',
  'PUSH_IN_PROGRESS',
  'TRANSIENT',
  'INTERNAL',
  // Imports (issue 12): the import itself, then the per-row refusals of its report
  'IMPORT_NOT_FOUND',
  /** The import is being read, checked or committed by a job right now. */
  'IMPORT_RUNNING',
  /** The import was committed already (or its file could not be read): nothing left to do. */
  'IMPORT_FINISHED',
  /** The upload is not a readable CSV or XLSX file of the kind, or lacks a required column. */
  'FILE_UNREADABLE',
  /** A row's field is missing or unreadable (a label without LABEL NO., a bad capacity). */
  'ROW_INVALID',
  /** The row's code or bill number appears earlier in the same file. */
  'ROW_DUPLICATE',
  /** Label-sheet children with no parent row closing their batch. */
  'BATCH_ORPHANED',
  /** A batch holds more children than its parent's format allows. */
  'BATCH_OVER_CAPACITY',
  /** A good row not imported because another row of its batch (or bill) was refused. */
  'BATCH_REFUSED',
  // Areas, promotions and the audit log (admin).
  /** A dispatcher scanned into (linked or unlinked in) a parent of another dispatch area. */
  'PARENT_IN_OTHER_AREA',
  /** The user already has a promotion request waiting for an admin. */
  'PROMOTION_PENDING',
  'PROMOTION_NOT_FOUND',
  /** The request was approved or declined already. */
  'PROMOTION_DECIDED',
  /** The role asked for is the one the user already has. */
  'PROMOTION_SAME_ROLE',
  // Exports, labels and HTTP routes beside tRPC (issue 12)
  /** No route at this path under /api/ or /trpc/. */
  'ROUTE_NOT_FOUND',
  /** A code of the requested label range is a bag already or was reserved before. */
  'LABEL_CODES_TAKEN',
  /** The format has fewer unused codes left than requested. */
  'LABEL_CODES_EXHAUSTED',
  'RESERVATION_NOT_FOUND',
  // Accounts and security: sign-in lockouts per client, two-factor sign-in, account setup, resets, sessions.
  /** This client (browser, else IP) is locked out of this account for a while; others may still sign in. */
  'CLIENT_LOCKED',
  /** The password was right; the account has two-factor sign-in on, so a code is needed too. No session. */
  'TWO_FACTOR_REQUIRED',
  /** The two-factor or recovery code is wrong, expired or already used. */
  'TWO_FACTOR_INVALID',
  /** An admin without two-factor sign-in (ADMIN_TWO_FACTOR=required) may only use auth.* and account.*. */
  'TWO_FACTOR_ENROLMENT_REQUIRED',
  'TWO_FACTOR_ALREADY_ENABLED',
  'TWO_FACTOR_NOT_ENABLED',
  /** account.twoFactor.confirm without a pending account.twoFactor.begin. */
  'TWO_FACTOR_NOT_STARTED',
  /** The password was set by an admin: only auth.* and account.* until the user changes it. */
  'PASSWORD_CHANGE_REQUIRED',
  /** The current password given to change a password or turn off two-factor sign-in is wrong. */
  'WRONG_PASSWORD',
  /** A reset link that is unknown, used, replaced or older than an hour. */
  'RESET_TOKEN_INVALID',
  'ACCOUNT_DEACTIVATED',
  'SESSION_NOT_FOUND',
  // Returns (issue 13): parent bags sent back from completed bills on a return ticket.
  'TICKET_NOT_FOUND',
  /** The return ticket was finalised or cancelled: no more scans or edits. */
  'TICKET_CLOSED',
  /** Finalising a ticket with no bags on it. */
  'TICKET_EMPTY',
  /** The parent is on this return ticket already. */
  'ALREADY_ON_TICKET',
  /** The parent is on another open return ticket (named in the message). */
  'ON_OTHER_TICKET',
  /** A return takes a parent off its bill: this one is on none. */
  'NOT_ON_A_BILL',
] as const;

export type AppErrorCode = (typeof APP_ERROR_CODES)[number];

/** Thrown by services; one formatter on the server turns it into a tRPC error with `data.appCode`. */
export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: AppErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** Codes that say "try again later": the request was fine, the infrastructure was not. */
export const RETRYABLE_ERROR_CODES: readonly AppErrorCode[] = ['TRANSIENT', 'PUSH_IN_PROGRESS', 'RATE_LIMITED', 'INTERNAL'];

/** A business refusal is a final answer: stored, shown, never retried. */
export function isFinalRefusal(e: unknown): e is AppError {
  return isAppError(e) && !RETRYABLE_ERROR_CODES.includes(e.code);
}
