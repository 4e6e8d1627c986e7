import type { Role } from '@tracetrack/shared';

/** Role names on the accounts screens (the app's words table has the same; folded in at merge). */
export const ROLE_NAMES: Record<Role, string> = { admin: 'Admin', biller: 'Biller', dispatcher: 'Dispatcher' };
