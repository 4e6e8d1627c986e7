export * from './codes';
export * from './errors';
export * from './weights';
export * from './schemas/common';
export * from './schemas/bags';
export * from './schemas/bills';
export * from './schemas/users';
export * from './schemas/stats';
