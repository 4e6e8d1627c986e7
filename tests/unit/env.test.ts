import { describe, expect, it } from 'vitest';
import { loadEnv } from '../../server/src/env';

describe('the environment', () => {
  it('bounds the session settings (finding 8): a day idle, a week in all', () => {
    expect(loadEnv({ SESSION_IDLE_MINUTES: '1440', SESSION_ABSOLUTE_HOURS: '168' })).toMatchObject({ SESSION_IDLE_MINUTES: 1440, SESSION_ABSOLUTE_HOURS: 168 });
    expect(() => loadEnv({ SESSION_IDLE_MINUTES: '1441' })).toThrow(/SESSION_IDLE_MINUTES/);
    expect(() => loadEnv({ SESSION_ABSOLUTE_HOURS: '100000' })).toThrow(/SESSION_ABSOLUTE_HOURS/);
  });

  it('reads an empty value as unset', () => {
    expect(loadEnv({ DATABASE_URL: '', ADMIN_EMAIL: '', SMTP_URL: '', ADMIN_USERNAME: '' })).toMatchObject({ ADMIN_USERNAME: 'admin' });
    expect(loadEnv({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it('names the first admin: ADMIN_USERNAME (default admin) and an optional ADMIN_EMAIL that passes the app’s email rule', () => {
    expect(loadEnv({})).toMatchObject({ ADMIN_USERNAME: 'admin', ADMIN_TWO_FACTOR: 'required' });
    expect(loadEnv({}).ADMIN_EMAIL).toBeUndefined();
    expect(loadEnv({ ADMIN_USERNAME: 'chief_1', ADMIN_EMAIL: 'Chief@Example.COM' })).toMatchObject({ ADMIN_USERNAME: 'chief_1', ADMIN_EMAIL: 'chief@example.com' });
    expect(() => loadEnv({ ADMIN_EMAIL: 'admin@localhost' })).toThrow(/ADMIN_EMAIL/);
    expect(() => loadEnv({ ADMIN_USERNAME: 'no spaces' })).toThrow(/ADMIN_USERNAME/);
    expect(() => loadEnv({ ADMIN_TWO_FACTOR: 'maybe' })).toThrow(/ADMIN_TWO_FACTOR/);
    expect(() => loadEnv({ TWO_FACTOR_KEY: 'short' })).toThrow(/TWO_FACTOR_KEY/);
  });
});
