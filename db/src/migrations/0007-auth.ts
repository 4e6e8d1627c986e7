import { type Kysely, sql } from 'kysely';

// Frozen once landed: add a new numbered migration instead of editing this one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Sign-in failures move to login_failures (per account and client); email becomes optional.
    alter table users
      alter column email drop not null,
      drop column failed_logins,
      drop column locked_until,
      -- the password was set by an admin: the user must choose their own before anything else
      add column must_change_password boolean not null default false,
      -- sessions carry the epoch they were created in; bumping it ends every one of them at once
      add column session_epoch int not null default 0,
      add column last_sign_in_at timestamptz,
      -- deactivated users keep their row (history, username never reused) and cannot sign in
      add column deactivated_at timestamptz,
      add column two_factor_secret text,
      add column two_factor_enabled_at timestamptz,
      -- a secret shown by account.twoFactor.begin, kept until a code confirms it
      add column two_factor_pending_secret text,
      -- the last TOTP time step accepted: a code is accepted once
      add column two_factor_last_step bigint,
      add constraint users_two_factor_shape check ((two_factor_secret is null) = (two_factor_enabled_at is null));

    -- One failure run per subject and client. subject: 'u:<user id>', or 'n:<sha256 of an unknown
    -- lower-cased username>' so unknown names get the same answers as real accounts. client_key:
    -- '' for the account as a whole, else a sha256 of the client (browser cookie, else IP).
    create table login_failures (
      subject text not null,
      client_key text not null,
      failures int not null check (failures > 0),
      first_failure_at timestamptz not null,
      last_failure_at timestamptz not null,
      locked_until timestamptz,
      primary key (subject, client_key)
    );
    create index login_failures_last_failure on login_failures (last_failure_at);

    -- One-time recovery codes, stored as sha256 (each code has 80 random bits).
    create table recovery_codes (
      user_id bigint not null references users (id),
      code_hash text not null,
      used_at timestamptz,
      primary key (user_id, code_hash)
    );

    -- Password reset tokens, stored as sha256; single use, one hour.
    create table password_resets (
      token_hash text primary key,
      user_id bigint not null references users (id),
      created_at timestamptz not null,
      expires_at timestamptz not null,
      used_at timestamptz,
      -- the admin who issued it (user.issuePasswordReset); null when the user asked
      issued_by bigint references users (id)
    );
    create index password_resets_user on password_resets (user_id);
  `.execute(db);
}
