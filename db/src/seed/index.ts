export { seedDatabase, type SeedOptions, type SeedSummary } from './load';
export { childCode, parentCode } from './plan';
export { SEED_EMAIL_DOMAIN } from './people';
