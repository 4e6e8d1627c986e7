import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff } from '../factories/users';
import { refusal } from '../helpers/errors';
import { createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let staff: Awaited<ReturnType<typeof createStaff>>;
beforeAll(async () => {
  t = await createTestApp();
  staff = await createStaff(t.deps.db);
});
afterAll(() => t.close());

describe('area.list', () => {
  it('gives every signed-in role the areas from the database, in their display order, with their names', async () => {
    const expected = await t.deps.db.selectFrom('dispatch_areas').select(['code', 'name']).orderBy('sort_order').execute();
    expect(expected.length).toBe(10);
    for (const role of ['admin', 'biller', 'dispatcher'] as const) expect(await t.as(staff[role]).area.list()).toEqual(expected);
    expect((await t.as(staff.biller).area.list()).find((a) => a.code === 'sri_ganganagar')).toEqual({ code: 'sri_ganganagar', name: 'Sri Ganganagar' });
  });

  it('follows the table: a renamed area is answered with its new name', async () => {
    await t.deps.db.updateTable('dispatch_areas').set({ name: 'Akola (MH)' }).where('code', '=', 'akola').execute();
    const areas = await t.as(staff.dispatcher).area.list();
    expect(areas.at(-1)).toEqual({ code: 'akola', name: 'Akola (MH)' });
  });

  it('refuses anonymous callers', async () => {
    expect(await refusal(t.anonymous().area.list())).toMatchObject({ code: 'UNAUTHORIZED', appCode: 'UNAUTHENTICATED' });
  });
});
