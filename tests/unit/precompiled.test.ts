import { describe, expect, it } from 'vitest';
import { precompiled } from '../../server/src/infra/precompiled';
import { createQueryRecorder } from '../helpers/query-recorder';

describe('precompiled queries', () => {
  it('compiles once and sends the builder\'s SQL with each call\'s values in their places, constants kept', async () => {
    const recorder = createQueryRecorder();
    let builds = 0;
    const byIdAndCode = precompiled(2, (db, id: number, code: string) => {
      builds += 1;
      return db.selectFrom('bags').select(['id']).where('id', '=', id).where('type', '=', 'parent').where('code', '=', code).where('child_count', '<', id).limit(5);
    });
    const [first] = await recorder.capture((db) => byIdAndCode(db, 7, 'SB00001'));
    const [second] = await recorder.capture((db) => byIdAndCode(db, 8, 'SB00002'));
    const built = recorder.db.selectFrom('bags').select(['id']).where('id', '=', 8).where('type', '=', 'parent').where('code', '=', 'SB00002').where('child_count', '<', 8).limit(5).compile();
    expect(builds).toBe(1);
    expect(first!.parameters).toEqual([7, 'parent', 'SB00001', 7, 5]);
    expect(second!.sql).toBe(built.sql);
    expect(second!.parameters).toEqual(built.parameters);
  });

  it('refuses a builder that does not send every argument as a parameter', async () => {
    const recorder = createQueryRecorder();
    const shaped = precompiled(1, (db, _unused: number) => db.selectFrom('bags').select(['id']).where('id', '=', 1));
    await expect(recorder.capture((db) => shaped(db, 3))).rejects.toThrow(/uses 0 of its 1 arguments/);
  });
});
