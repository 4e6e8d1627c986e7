import { describe, expect, it } from 'vitest';
import {
  billNumberSchema, classifyCode, computeBillWeights, isoDateTimeSchema, isStorableText, normalizeCode, parentStatus, parseBagCode, stripInvisible,
  rawCodeSchema, toStorableText,
} from '@tracetrack/shared';

describe('code normalisation', () => {
  it('strips only what no code holds, keeping case and spaces for the caller', () => {
    expect(stripInvisible('\u200B sb00001\u0003 \uFEFF')).toBe(' sb00001 ');
    expect(stripInvisible('a\u2028b\u206Fc')).toBe('abc');
  });

  it('strips control characters and invisible Unicode, trims and upper-cases', () => {
    expect(normalizeCode('  sb00001\r\n')).toBe('SB00001');
    expect(normalizeCode('\u200Bsb0\u200D0001\uFEFF')).toBe('SB00001');
    expect(normalizeCode('\u2028m444-00001\u2060\u202F')).toBe('M444-00001');
    expect(normalizeCode('\u0002abc123\u0003')).toBe('ABC123');
    expect(normalizeCode('\u206F0016586\u200F')).toBe('0016586');
  });
});

describe('code classification', () => {
  it.each([
    ['SB00001', 'SB', 30],
    ['sb12345', 'SB', 30],
    ['M444-00001', 'M444', 15],
    ['m444-99999', 'M444', 15],
  ])('%s is a %s parent holding %i', (raw, format, max) => {
    const parsed = parseBagCode(raw);
    expect(parsed.kind).toBe('parent');
    if (parsed.kind === 'parent') {
      expect(parsed.format).toBe(format);
      expect(parsed.spec.maxChildren).toBe(max);
    }
  });

  it.each(['SB123456', 'SB-12345', 'M445-00001', 'M44400001'])('%s is not a parent', (raw) => {
    expect(parseBagCode(raw).kind).not.toBe('parent');
  });

  it('treats invalid parents with a dash as invalid, and digit-only ones as children', () => {
    expect(parseBagCode('SB-12345').kind).toBe('invalid');
    expect(parseBagCode('M445-00001').kind).toBe('invalid');
    // Without a dash these are 4–20 alphanumerics: valid child codes, never parents.
    expect(parseBagCode('SB123456').kind).toBe('child');
    expect(parseBagCode('M44400001').kind).toBe('child');
  });

  it.each(['0016586', 'ABCD', 'A1B2C3D4E5F6G7H8I9J0'])('%s is a child', (raw) => {
    expect(classifyCode(normalizeCode(raw)).kind).toBe('child');
  });

  it.each(['', 'ABC', 'A1B2C3D4E5F6G7H8I9J0K', 'AB-12', 'AB 1234', "'; drop table bags; --", '<script>', 'ÄBCD'])('%j is rejected', (raw) => {
    expect(parseBagCode(raw).kind).toBe('invalid');
  });
});

describe('parent status and weights', () => {
  it('derives status from count and capacity', () => {
    expect(parentStatus(0, 30)).toBe('empty');
    expect(parentStatus(1, 30)).toBe('filling');
    expect(parentStatus(29, 30)).toBe('filling');
    expect(parentStatus(30, 30)).toBe('full');
    expect(parentStatus(15, 15)).toBe('full');
  });

  it('computes actual, expected and variance from per-format tallies', () => {
    expect(computeBillWeights([{ format: 'SB', parents: 1, children: 28 }, { format: 'M444', parents: 1, children: 15 }])).toEqual({
      parentCount: 2, childCount: 43, actualWeightKg: 43, expectedWeightKg: 45, varianceKg: -2,
    });
    expect(computeBillWeights([])).toEqual({ parentCount: 0, childCount: 0, actualWeightKg: 0, expectedWeightKg: 0, varianceKg: 0 });
  });
});

describe('bill numbers', () => {
  it('normalises bill numbers like codes and bounds them to 3–50 characters', () => {
    expect(billNumberSchema.parse(' bill-2024/001\u200B')).toBe('BILL-2024/001');
    expect(billNumberSchema.safeParse('AB').success).toBe(false);
    expect(billNumberSchema.safeParse('A'.repeat(51)).success).toBe(false);
    expect(billNumberSchema.safeParse('<script>').success).toBe(false);
  });

});

describe('refusal kinds', () => {
  it('treats business refusals as final and infrastructure failures as retryable', async () => {
    const { AppError, isFinalRefusal } = await import('@tracetrack/shared');
    expect(isFinalRefusal(new AppError('PARENT_FULL', 'full'))).toBe(true);
    expect(isFinalRefusal(new AppError('VALIDATION', 'bad'))).toBe(true);
    expect(isFinalRefusal(new AppError('TRANSIENT', 'down'))).toBe(false);
    expect(isFinalRefusal(new AppError('PUSH_IN_PROGRESS', 'busy'))).toBe(false);
    expect(isFinalRefusal(new Error('boom'))).toBe(false);
  });
});

describe('text and times Postgres can store', () => {
  it('refuses NUL and unpaired surrogates, keeps every real character', () => {
    expect(isStorableText('अनाज 😀 Ünïcödé \t\u001d')).toBe(true);
    expect(isStorableText('a\u0000b')).toBe(false);
    expect(isStorableText('\ud83d')).toBe(false);
    expect(isStorableText('\ude00x')).toBe(false);
    expect(isStorableText('\ude00\ud83d')).toBe(false);
    expect(toStorableText('a\u0000\ud83d😀')).toBe('a\ufffd\ufffd😀');
  });

  it('normalises codes in the schema, so what is stored is the code', () => {
    expect(rawCodeSchema.parse('\u0000 sb00001\r\n')).toBe('SB00001');
    expect(rawCodeSchema.safeParse('\u200b').success).toBe(false);
  });

  it('takes dates Postgres can compare with', () => {
    expect(isoDateTimeSchema.safeParse('2024-05-01T10:00:00+05:30').success).toBe(true);
    expect(isoDateTimeSchema.safeParse('9999-12-31T23:59:59Z').success).toBe(true);
    expect(isoDateTimeSchema.safeParse('0000-01-01T00:00:00Z').success).toBe(false);
    expect(isoDateTimeSchema.safeParse('2024-05-01T10:00:00+15:30').success).toBe(false);
  });
});
