export * from './connection';
export * from './migrator';
export * from './embedded';
export * from './env';
export * from './open-database';
export * from './passwords';
export type * from './types';
