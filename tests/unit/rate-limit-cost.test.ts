import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../server/src/infra/kv';
import { createRateLimiter } from '../../server/src/infra/rate-limit';

describe('a rate limit hit with a cost', () => {
  const rule = { name: 'cost-test', limit: 10, windowMs: 60_000 };

  it('counts a batch of calls as that many hits', async () => {
    let now = 1_000_000;
    const limiter = createRateLimiter(createMemoryStore(() => now));
    await limiter.hit(rule, 'client', 10);
    await expect(limiter.hit(rule, 'client')).rejects.toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterSeconds: 60 } });
    await expect(limiter.hit(rule, 'other', 11)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    now += 60_000;
    await expect(limiter.hit(rule, 'client', 3)).resolves.toBeUndefined();
  });
});
