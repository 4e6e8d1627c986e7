import { defineConfig } from 'vitest/config';

/**
 * Test tiers, one vitest project each: `unit` is pure code (no build, no database, no browser)
 * and has no global setup; the others share the template database the global setup migrates
 * once per run. `npm run test:unit` runs the unit tier alone, `npm test` every tier.
 */
const DATABASE_SETUP = ['tests/helpers/global-setup.ts'];
const tier = (name: string, globalSetup: string[] = DATABASE_SETUP) => ({
  extends: true as const,
  test: { name, include: [`tests/${name}/**/*.test.ts`], globalSetup },
});

export default defineConfig({
  test: {
    exclude: ['tests/bench/**', '**/node_modules/**'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 180_000,
    reporters: ['default', './tests/helpers/summary-reporter.ts'],
    projects: [tier('unit', []), tier('integration'), tier('e2e'), tier('fault'), tier('property')],
  },
});
