import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/src/app';
import { createContextInner } from '../../server/src/trpc/context';
import { createUser, TEST_PASSWORD } from '../factories/users';
import { refusal } from '../helpers/errors';
import { trpcHttp } from '../helpers/http';
import { type ReceivedMail, startTestSmtpServer, type TestSmtpServer } from '../helpers/smtp';
import { createCaller, createTestApp, type TestApp } from '../helpers/test-app';

const PUBLIC_URL = 'https://tracetrack.example.test';
let smtp: TestSmtpServer;
let t: TestApp;
let now = new Date('2025-05-01T04:00:00.000Z');
beforeAll(async () => {
  smtp = await startTestSmtpServer();
  t = await createTestApp({ clock: () => now, smtpUrl: smtp.url, publicUrl: PUBLIC_URL });
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

let ipCounter = 0;
const nextIp = () => `10.50.${++ipCounter}.3`;
const anonymous = (ip = nextIp()) => createCaller(createContextInner({ deps: t.deps, meta: { ip } })).auth;
const NEW_PASSWORD = 'Quiet-Meadow-Compass-77';

/** The reset token in a received mail (quoted-printable decoded). */
function tokenIn(mail: ReceivedMail): string {
  const body = mail.raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  const match = /https:\/\/tracetrack\.example\.test\/reset-password#token=([A-Za-z0-9_-]+)/.exec(body);
  if (!match?.[1]) throw new Error(`no reset link in:\n${body}`);
  return match[1];
}

/** Polls a condition (no fixed sleeps); fails with its description after 10 s. */
async function waitUntil(condition: () => Promise<boolean>, what: string) {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function signInOverHttp(username: string, password: string) {
  const app = createApp(t.deps, { remoteAddress: () => nextIp() });
  const res = await trpcHttp((u, i) => app.request(u, i)).mutate('auth.login', { username, password });
  expect(res.status).toBe(200);
  return res.headers.getSetCookie().find((c) => c.startsWith('tt_session='))!.split(';')[0]!;
}
async function isSignedIn(cookie: string) {
  const app = createApp(t.deps, { remoteAddress: () => nextIp() });
  return (await trpcHttp((u, i) => app.request(u, i), 'http://localhost', cookie).query('auth.me')).data !== null;
}
const auditOf = (id: number) =>
  t.deps.db.selectFrom('audit_log').select(['action', 'actor_id', 'after']).where('entity_type', '=', 'user').where('entity_id', '=', String(id)).orderBy('id').execute();

describe('password reset by email', () => {
  it('mails a link; the token sets a password once, ends every session, and is dead after use and after an hour', async () => {
    const email = `reset_${Date.now()}@example.test`;
    const user = await createUser(t.deps.db, { role: 'dispatcher', area: 'ranchi', email });
    const sessions = [await signInOverHttp(user.username, TEST_PASSWORD), await signInOverHttp(user.username, TEST_PASSWORD)];

    expect(await anonymous().requestPasswordReset({ login: ` ${email.toUpperCase()} ` })).toEqual({ ok: true });
    const mail = await smtp.waitFor((m) => m.to.includes(email));
    expect(mail.raw).toContain('Subject: Reset your TraceTrack password');
    const token = tokenIn(mail);
    expect(JSON.stringify(await t.deps.db.selectFrom('password_resets').selectAll().execute())).not.toContain(token);

    // The password rule holds here too; a refusal leaves the token usable.
    expect(await refusal(anonymous().resetPassword({ token, newPassword: `${user.username}-and-more` }))).toMatchObject({
      code: 'BAD_REQUEST', appCode: 'WEAK_PASSWORD', details: { field: 'newPassword' },
    });
    expect(await anonymous().resetPassword({ token, newPassword: NEW_PASSWORD })).toEqual({ ok: true });
    for (const cookie of sessions) expect(await isSignedIn(cookie)).toBe(false);
    expect((await refusal(anonymous().login({ username: user.username, password: TEST_PASSWORD }))).appCode).toBe('INVALID_CREDENTIALS');
    expect((await anonymous().login({ username: user.username, password: NEW_PASSWORD })).user).toMatchObject({ id: user.id, mustChangePassword: false });

    const again = await refusal(anonymous().resetPassword({ token, newPassword: 'Another-Quiet-Meadow-88' }));
    expect(again).toMatchObject({ code: 'BAD_REQUEST', appCode: 'RESET_TOKEN_INVALID' });
    expect(again.message).toBe('This reset link has expired or was already used. Ask for a new one.');

    // A new link is good for an hour, not a minute more.
    const before = smtp.received.length;
    await anonymous().requestPasswordReset({ login: user.username });
    const second = await smtp.waitFor((m) => m.to.includes(email) && smtp.received.indexOf(m) >= before);
    now = new Date(now.getTime() + 60 * 60_000 + 1_000);
    expect(await refusal(anonymous().resetPassword({ token: tokenIn(second), newPassword: 'Another-Quiet-Meadow-88' }))).toMatchObject({
      appCode: 'RESET_TOKEN_INVALID',
    });
    expect((await anonymous().login({ username: user.username, password: NEW_PASSWORD })).user.id).toBe(user.id);

    const actions = (await auditOf(user.id)).map((r) => r.action);
    expect(actions.filter((a) => a.startsWith('auth.password_reset'))).toEqual([
      'auth.password_reset_requested', 'auth.password_reset', 'auth.password_reset_requested',
    ]);
  });

  it('answers the same for an unknown name or email and for an account without email, and sends nothing for them', async () => {
    const noEmail = await createUser(t.deps.db, { role: 'biller' });
    await t.deps.db.updateTable('users').set({ email: null }).where('id', '=', noEmail.id).execute();
    const answers = [
      await anonymous().requestPasswordReset({ login: 'nobody_at_all' }),
      await anonymous().requestPasswordReset({ login: 'nobody@example.test' }),
      await anonymous().requestPasswordReset({ login: noEmail.username }),
    ];
    expect(answers).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    await waitUntil(async () => (await auditOf(noEmail.id)).some((r) => r.action === 'auth.password_reset_requested'), 'the request is audited');
    expect((await auditOf(noEmail.id)).find((r) => r.action === 'auth.password_reset_requested')?.after).toEqual({ hasEmail: false });
    expect(smtp.received.some((m) => m.to.includes('nobody@example.test'))).toBe(false);
    expect(await t.deps.db.selectFrom('password_resets').select('token_hash').where('user_id', '=', noEmail.id).execute()).toEqual([]);
  });

  it('allows 5 requests an hour per name or email', async () => {
    const ip = nextIp();
    for (let i = 0; i < 5; i++) await anonymous(nextIp()).requestPasswordReset({ login: 'limited_name' });
    expect(await refusal(anonymous(ip).requestPasswordReset({ login: 'LIMITED_NAME' }))).toMatchObject({ code: 'TOO_MANY_REQUESTS', appCode: 'RATE_LIMITED' });
  });

  it('lifts sign-in lockouts: the link proved the mailbox', async () => {
    const user = await createUser(t.deps.db, { role: 'biller', email: `lock_${Date.now()}@example.test` });
    const ip = nextIp();
    for (let i = 0; i < 5; i++) await refusal(anonymous(ip).login({ username: user.username, password: 'not-the-password' }));
    expect((await refusal(anonymous(ip).login({ username: user.username, password: TEST_PASSWORD }))).appCode).toBe('CLIENT_LOCKED');
    const { resetUrl } = await t.as(await createUser(t.deps.db, { role: 'admin' })).user.issuePasswordReset({ userId: user.id });
    await anonymous().resetPassword({ token: resetUrl.split('#token=')[1]!, newPassword: NEW_PASSWORD });
    expect((await anonymous(ip).login({ username: user.username, password: NEW_PASSWORD })).user.id).toBe(user.id);
  });
});

describe('a reset link issued by an admin', () => {
  it('is a link on PUBLIC_URL good for an hour; a newer one replaces it; the user then chooses their own password', async () => {
    const admin = await createUser(t.deps.db, { role: 'admin' });
    const user = await createUser(t.deps.db, { role: 'biller' });
    const first = await t.as(admin).user.issuePasswordReset({ userId: user.id });
    expect(first.resetUrl).toMatch(/^https:\/\/tracetrack\.example\.test\/reset-password#token=[A-Za-z0-9_-]{43}$/);
    expect(first.expiresAt).toBe(new Date(now.getTime() + 60 * 60_000).toISOString());
    const second = await t.as(admin).user.issuePasswordReset({ userId: user.id });
    const tokenOf = (url: string) => url.split('#token=')[1]!;
    expect((await refusal(anonymous().resetPassword({ token: tokenOf(first.resetUrl), newPassword: NEW_PASSWORD }))).appCode).toBe('RESET_TOKEN_INVALID');
    await anonymous().resetPassword({ token: tokenOf(second.resetUrl), newPassword: NEW_PASSWORD });
    expect((await anonymous().login({ username: user.username, password: NEW_PASSWORD })).user.mustChangePassword).toBe(false);
    const audit = await auditOf(user.id);
    expect(audit.find((r) => r.action === 'user.issue_password_reset')).toMatchObject({ actor_id: admin.id });
    expect(JSON.stringify(audit)).not.toContain(tokenOf(second.resetUrl));
  });

  it('is refused for a deactivated or unknown user', async () => {
    const admin = await createUser(t.deps.db, { role: 'admin' });
    const gone = await createUser(t.deps.db, { role: 'biller' });
    await t.as(admin).user.deactivate({ userId: gone.id });
    expect(await refusal(t.as(admin).user.issuePasswordReset({ userId: gone.id }))).toMatchObject({ appCode: 'ACCOUNT_DEACTIVATED' });
    expect(await refusal(t.as(admin).user.issuePasswordReset({ userId: 999_999 }))).toMatchObject({ code: 'NOT_FOUND', appCode: 'USER_NOT_FOUND' });
  });
});
