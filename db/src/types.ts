import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<unknown, string, string>;

export type UserRole = 'admin' | 'biller' | 'dispatcher';
export type BagTypeColumn = 'parent' | 'child';
export type BillStatusColumn = 'open' | 'loading' | 'completed';
export type EventStatusColumn = 'applied' | 'unchanged' | 'rejected';

export interface DispatchAreasTable {
  code: string;
  name: string;
  sort_order: number;
}

export interface UsersTable {
  id: Generated<number>;
  username: string;
  email: string | null;
  password_hash: string;
  role: UserRole;
  area: string | null;
  is_locked: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  must_change_password: Generated<boolean>;
  session_epoch: Generated<number>;
  last_sign_in_at: Date | null;
  deactivated_at: Date | null;
  two_factor_secret: string | null;
  two_factor_enabled_at: Date | null;
  two_factor_pending_secret: string | null;
  two_factor_last_step: number | null;
}

/** Sign-in failure runs per subject (account or unknown name) and client (migration 0007). */
export interface LoginFailuresTable {
  subject: string;
  client_key: string;
  failures: number;
  first_failure_at: Date;
  last_failure_at: Date;
  locked_until: Date | null;
}

export interface RecoveryCodesTable {
  user_id: number;
  code_hash: string;
  used_at: Date | null;
}

export interface PasswordResetsTable {
  token_hash: string;
  user_id: number;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
  issued_by: number | null;
}

export interface BagsTable {
  id: Generated<number>;
  code: string;
  type: BagTypeColumn;
  format: string | null;
  capacity: number | null;
  child_count: Generated<number>;
  area: string | null;
  created_by: number | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  change_xid: Generated<string>;
}

export interface LinksTable {
  child_id: number;
  child_type: Generated<BagTypeColumn>;
  parent_id: number;
  parent_type: Generated<BagTypeColumn>;
  linked_by: number | null;
  linked_at: Generated<Date>;
}

export interface BillsTable {
  id: Generated<number>;
  bill_number: string;
  capacity: number;
  description: string | null;
  destination: string | null;
  vehicle_number: string | null;
  status: Generated<BillStatusColumn>;
  parent_count: Generated<number>;
  is_short: Generated<boolean>;
  created_by: number | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  completed_at: Date | null;
  completed_by: number | null;
  change_xid: Generated<string>;
}

export interface BillParentsTable {
  parent_id: number;
  parent_type: Generated<BagTypeColumn>;
  bill_id: number;
  added_by: number | null;
  added_at: Generated<Date>;
}

export type ReturnTicketStatusColumn = 'open' | 'committed' | 'cancelled';

/** Return tickets, their bags, and the bill events they made (migration 0011). */
export interface ReturnTicketsTable {
  id: Generated<number>;
  ref: string;
  number: string;
  area: string;
  notes: string | null;
  status: Generated<ReturnTicketStatusColumn>;
  parent_count: Generated<number>;
  child_count: Generated<number>;
  weight_kg: Generated<number>;
  created_by: number | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  closed_by: number | null;
  closed_at: Date | null;
}

export interface ReturnTicketBagsTable {
  id: Generated<number>;
  ticket_id: number;
  parent_id: number | null;
  parent_code: string;
  format: string;
  child_count: number;
  weight_kg: number;
  bill_id: number | null;
  bill_number: string;
  returned_by: number | null;
  returned_at: Generated<Date>;
}

export interface BillReturnEventsTable {
  id: Generated<number>;
  bill_id: number | null;
  bill_number: string;
  ticket_id: number;
  parent_id: number | null;
  parent_code: string;
  parents_before: number;
  parents_after: number;
  children_before: number;
  children_after: number;
  weight_before_kg: number;
  weight_after_kg: number;
  returned_by: number | null;
  returned_at: Generated<Date>;
}

export interface DevicesTable {
  id: string;
  user_id: number;
  label: string | null;
  last_seq: Generated<number>;
  created_at: Generated<Date>;
  last_seen_at: Date | null;
  push_count: Generated<number>;
  last_push_at: Date | null;
  rejected_count: Generated<number>;
  last_pull_at: Date | null;
  outbox_depth: number | null;
  outbox_oldest_at: Date | null;
  outbox_reported_at: Date | null;
}

export interface DeviceSeqGapsTable {
  id: Generated<number>;
  device_id: string;
  from_seq: number;
  to_seq: number;
  detected_at: Generated<Date>;
  filled_at: Date | null;
}

export interface ScanEventsTable {
  id: Generated<number>;
  mutation_id: string;
  device_id: string | null;
  seq: number | null;
  user_id: number;
  name: string;
  args: Json;
  client_time: Timestamp | null;
  server_time: Generated<Date>;
  status: EventStatusColumn;
  error_code: string | null;
  message: string;
  result: Json | null;
  parent_id: number | null;
  child_id: number | null;
  bill_id: number | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Generated<Date>;
  actor_id: number | null;
  actor_username: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  before: Json | null;
  after: Json | null;
  request_id: string | null;
  ip: string | null;
  device_id: string | null;
  seq: number | null;
  is_permanent: Generated<boolean>;
}

export type PromotionStatusColumn = 'pending' | 'approved' | 'declined';

/** A request for another role (migration 0008). */
export interface PromotionRequestsTable {
  id: Generated<number>;
  user_id: number;
  role: UserRole;
  area: string | null;
  reason: string;
  status: Generated<PromotionStatusColumn>;
  created_at: Generated<Date>;
  decided_at: Date | null;
  decided_by: number | null;
}

export interface CountersTable {
  name: string;
  scope: string;
  shard: number;
  value: Generated<number>;
}

export interface DailyCountersTable {
  day: ColumnType<string, string, string>;
  name: string;
  scope: string;
  shard: number;
  value: Generated<number>;
}

/** A row that left a sync.pull feed by deletion or by moving area (migration 0005). */
export interface SyncTombstonesTable {
  id: Generated<number>;
  change_xid: Generated<string>;
  removed_at: Generated<Date>;
  feed: 'parents' | 'bills';
  area: string | null;
  key: string;
  last_state: Json;
}

export interface SyncTombstoneHorizonTable {
  only_row: Generated<boolean>;
  pruned_through: string;
}

/** An uploaded import file and its job (migration 0010). */
export interface ImportsTable {
  id: string;
  kind: 'label-sheet' | 'bags' | 'bills';
  file_name: string;
  file_bytes: number;
  area: string | null;
  is_dry_run: boolean;
  status: 'reading' | 'checking' | 'checked' | 'committing' | 'committed' | 'failed';
  rows_total: Generated<number>;
  rows_done: Generated<number>;
  committed_through: Generated<number>;
  dry_run_counts: Json | null;
  commit_counts: Json | null;
  failure: string | null;
  created_by: number;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  finished_at: Date | null;
}

/** One row of an import file as read, with its last outcome (migration 0010). */
export interface ImportRowsTable {
  import_id: string;
  seq: number;
  sheet: string | null;
  row_number: number;
  unit: number | null;
  op: 'parent' | 'child' | 'bill' | 'none';
  code: string | null;
  parent_code: string | null;
  area: string | null;
  bill: Json | null;
  raw: string;
  is_blocked: Generated<boolean>;
  status: Generated<'pending' | 'created' | 'present' | 'error' | 'skipped'>;
  is_new: Generated<boolean>;
  billed_count: Generated<number>;
  error_code: string | null;
  message: string | null;
}

/** One end-of-day mail per day (migration 0009): the row is the claim across processes. */
export interface EodRunsTable {
  day: ColumnType<string, string, string>;
  status: 'sending' | 'sent' | 'failed' | 'skipped';
  attempts: Generated<number>;
  recipients: Generated<number>;
  bills: Generated<number>;
  detail: string | null;
  started_at: Generated<Date>;
  finished_at: Date | null;
}

/** The last run of a background job (migration 0012). */
export interface BackgroundRunsTable {
  job: string;
  last_started_at: Date;
  last_finished_at: Date | null;
  last_status: 'running' | 'ok' | 'failed';
  last_error: string | null;
  last_error_at: Date | null;
  last_detail: unknown;
}

/** A block of label codes handed out for printing (migration 0009). */
export interface LabelReservationsTable {
  id: Generated<number>;
  kind: 'parent' | 'child';
  format: string | null;
  first_number: number | null;
  last_number: number | null;
  first_code: string;
  last_code: string;
  code_count: number;
  created_by: number | null;
  created_at: Generated<Date>;
}

export interface LabelCodesTable {
  code: string;
  reservation_id: number;
  position: number;
}

export interface Database {
  dispatch_areas: DispatchAreasTable;
  users: UsersTable;
  login_failures: LoginFailuresTable;
  recovery_codes: RecoveryCodesTable;
  password_resets: PasswordResetsTable;
  bags: BagsTable;
  links: LinksTable;
  bills: BillsTable;
  bill_parents: BillParentsTable;
  return_tickets: ReturnTicketsTable;
  return_ticket_bags: ReturnTicketBagsTable;
  bill_return_events: BillReturnEventsTable;
  devices: DevicesTable;
  device_seq_gaps: DeviceSeqGapsTable;
  scan_events: ScanEventsTable;
  audit_log: AuditLogTable;
  counters: CountersTable;
  daily_counters: DailyCountersTable;
  sync_tombstones: SyncTombstonesTable;
  sync_tombstone_horizon: SyncTombstoneHorizonTable;
  imports: ImportsTable;
  import_rows: ImportRowsTable;
  promotion_requests: PromotionRequestsTable;
  eod_runs: EodRunsTable;
  background_runs: BackgroundRunsTable;
  label_reservations: LabelReservationsTable;
  label_codes: LabelCodesTable;
}

export type UserRow = Selectable<UsersTable>;
export type BagRow = Selectable<BagsTable>;
export type BillRow = Selectable<BillsTable>;
export type NewAuditRow = Insertable<AuditLogTable>;
