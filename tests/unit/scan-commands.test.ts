import { MAX_MUTATION_ARGS_BYTES, type Mutation, refusalOf } from '@tracetrack/shared';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../server/src/modules/actor';
import { readMutation, storedFormOf } from '../../server/src/modules/scans/commands';
import { toScanWork } from '../../server/src/modules/scans/work';

const at = '2024-05-01T10:00:00+05:30';
const mutation = (name: string, args: unknown, clientTime = at): Mutation => ({ id: crypto.randomUUID(), seq: 1, name, args, clientTime });
const dispatcher: Actor = { id: 3, username: 'dee', role: 'dispatcher', area: 'hisar', pendingSetup: null };
const biller: Actor = { id: 2, username: 'bill', role: 'biller', area: null, pendingSetup: null };

describe('reading a queued mutation', () => {
  it('parses its args with the shared schema: codes normalised once, here, at the edge', () => {
    const read = readMutation(mutation('child.link', { parentCode: ' sb00001\u200b', childCode: 'c1234\r\n' }));
    expect(read).toEqual({ isValid: true, command: { name: 'child.link', args: { parentCode: 'SB00001', childCode: 'C1234' } }, clientTime: at });
    expect(storedFormOf(read)).toEqual({ name: 'child.link', args: { parentCode: 'SB00001', childCode: 'C1234' } });
  });

  it('fills the schema\'s defaults and trims texts, so a replay compares what was applied', () => {
    const read = readMutation(mutation('bill.create', { billNumber: ' b-1 ', capacity: 3, description: '  grain  ' }));
    expect(read.isValid && read.command).toEqual({ name: 'bill.create', args: { billNumber: 'B-1', capacity: 3, description: 'grain' } });
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'bag.explode'])('refuses the unknown mutation %j on its own, keeping its args', (name) => {
    const read = readMutation(mutation(name, { code: 'SB00001' }));
    expect(read).toMatchObject({ isValid: false, name, args: { code: 'SB00001' }, error: { code: 'VALIDATION', message: `Unknown mutation "${name}".` } });
  });

  it('refuses args over the size limit and does not keep them', () => {
    const read = readMutation(mutation('parent.scan', { code: 'x'.repeat(MAX_MUTATION_ARGS_BYTES) }));
    expect(read).toMatchObject({ isValid: false, args: null, error: { code: 'VALIDATION' } });
  });

  it('names every bad field and a bad clock, and keeps the time when only the args are bad', () => {
    const both = readMutation(mutation('child.link', { parentCode: 'SB00001' }, 'yesterday'));
    expect(both).toMatchObject({ isValid: false, clientTime: null });
    expect(!both.isValid && both.error.message).toMatch(/^Invalid child\.link: childCode: .+; clientTime: /);
    expect(readMutation(mutation('parent.scan', { code: 7 }))).toMatchObject({ isValid: false, clientTime: at });
  });

  it('keeps nothing it could not store: broken text in the name is replaced, unstorable args dropped', () => {
    const read = readMutation(mutation('bad\u0000name', { code: 'a\u0000b' }));
    expect(read).toMatchObject({ isValid: false, name: 'bad\ufffdname', args: null });
  });
});

describe('the work of a read mutation', () => {
  it('sends bag scans to the bag batch with their parsed command', () => {
    expect(toScanWork(dispatcher, readMutation(mutation('parent.scan', { code: 'm444-00001' })))).toEqual({
      kind: 'bag', command: { name: 'parent.scan', args: { code: 'M444-00001' } },
    });
  });

  it('runs bill mutations as effects for the roles the permission table allows', () => {
    expect(toScanWork(biller, readMutation(mutation('bill.complete', { billNumber: 'B-1' })))).toMatchObject({ kind: 'effect' });
  });

  it('refuses a mutation the actor\'s role may not send, with the online refusal\'s sentence', () => {
    const work = toScanWork(dispatcher, readMutation(mutation('bill.addParent', { billNumber: 'B-1', parentCode: 'SB00001' })));
    expect(work).toEqual({ kind: 'refused', error: refusalOf('bill.addParent', dispatcher) });
    expect(work).toMatchObject({ error: { code: 'FORBIDDEN', message: 'Only billers and admins can do this.' } });
  });

  it('refuses an unreadable mutation with its reading error', () => {
    expect(toScanWork(biller, readMutation(mutation('constructor', {})))).toMatchObject({ kind: 'refused', error: { code: 'VALIDATION' } });
  });
});
