/** Who a request acted for, filled in as it is learnt (the tRPC context, a route guard, sync.push's input). */
export interface AccessNote {
  userId: number | null;
  deviceId: string | null;
}
