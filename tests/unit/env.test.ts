import { loadDatabaseEnv } from '@tracetrack/db';
import { describe, expect, it } from 'vitest';
import { loadEnv } from '../../server/src/env';

describe('the environment', () => {
  it('takes a variable set to the empty string as unset (Compose and .env templates write NAME=)', () => {
    const env = loadEnv({ DATABASE_URL: '', REDIS_URL: '', PORT: '', WORKERS: '', ADMIN_PASSWORD: '', TRUST_PROXY: '' });
    expect([env.DATABASE_URL, env.REDIS_URL, env.WORKERS, env.ADMIN_PASSWORD]).toEqual([undefined, undefined, undefined, undefined]);
    expect([env.PORT, env.TRUST_PROXY]).toEqual([3000, false]);
    expect(loadDatabaseEnv({ DATABASE_URL: '', DATA_DIR: '', EMBEDDED_PG_PORT: '' })).toEqual({
      DATABASE_URL: undefined, DATA_DIR: './.data', EMBEDDED_PG_PORT: 5488, TIME_ZONE: 'Asia/Kolkata',
    });
  });

  it('reads the database settings the same way in the server and the database CLIs', () => {
    const source = { DATABASE_URL: 'postgres://u@db:5432/tt', DATA_DIR: '/srv/data', EMBEDDED_PG_PORT: '6000', TIME_ZONE: 'UTC' };
    const server = loadEnv(source);
    expect(loadDatabaseEnv(source)).toEqual({ DATABASE_URL: server.DATABASE_URL, DATA_DIR: server.DATA_DIR, EMBEDDED_PG_PORT: server.EMBEDDED_PG_PORT, TIME_ZONE: server.TIME_ZONE });
  });

  it('stops with every bad value listed', () => {
    expect(() => loadEnv({ DATABASE_URL: 'not a url', PORT: 'x' })).toThrow(/DATABASE_URL: .+\n {2}PORT: /);
    expect(() => loadEnv({ REDIS_URL: ' ' })).toThrow(/REDIS_URL/);
  });

  it('reads the accounts settings empty as unset', () => {
    expect(loadEnv({ ADMIN_EMAIL: '', SMTP_URL: '', ADMIN_USERNAME: '' })).toMatchObject({ ADMIN_USERNAME: 'admin' });
  });

  it('bounds the session settings (finding 8): a day idle, a week in all', () => {
    expect(loadEnv({ SESSION_IDLE_MINUTES: '1440', SESSION_ABSOLUTE_HOURS: '168' })).toMatchObject({ SESSION_IDLE_MINUTES: 1440, SESSION_ABSOLUTE_HOURS: 168 });
    expect(() => loadEnv({ SESSION_IDLE_MINUTES: '1441' })).toThrow(/SESSION_IDLE_MINUTES/);
    expect(() => loadEnv({ SESSION_ABSOLUTE_HOURS: '100000' })).toThrow(/SESSION_ABSOLUTE_HOURS/);
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
