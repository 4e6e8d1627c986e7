export * from './connection';
export * from './migrator';
export * from './embedded';
export type * from './types';
