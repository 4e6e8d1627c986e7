import type { EndOfDay } from '@tracetrack/shared';
import { localDateTime } from './local-time';
import { type Column, onePage, type Sheet } from './sheet';

type Totals = EndOfDay['totals'];
type StatusRow = EndOfDay['byStatus'][number];
type UserRow = EndOfDay['byUser'][number];
type BillRow = EndOfDay['bills'][number];
type ReturnRow = EndOfDay['returns']['items'][number];

const weightColumns = <R extends { parents: number; children: number; actualWeightKg: number; expectedWeightKg: number; varianceKg: number }>(): Column<R>[] => [
  { header: 'Parents', value: (r) => r.parents },
  { header: 'Children', value: (r) => r.children },
  { header: 'Actual (kg)', value: (r) => r.actualWeightKg },
  { header: 'Expected (kg)', value: (r) => r.expectedWeightKg },
  { header: 'Variance (kg)', value: (r) => r.varianceKg },
];

/** The summary as five tables: totals, by status, by user, every bill, and the day's returns (counted apart). */
export function endOfDaySheets(report: EndOfDay): Sheet[] {
  const tz = report.timeZone;
  const totals: Column<Totals>[] = [
    { header: 'Date', value: () => report.date, width: 12 },
    { header: 'Bills created', value: (t) => t.billsCreated },
    { header: 'Bills completed', value: (t) => t.billsCompleted },
    { header: 'Bills listed', value: (t) => t.bills },
    ...weightColumns<Totals>(),
  ];
  const byStatus: Column<StatusRow>[] = [{ header: 'Status', value: (r) => r.status }, { header: 'Bills', value: (r) => r.bills }, ...weightColumns<StatusRow>()];
  const byUser: Column<UserRow>[] = [
    { header: 'User', value: (r) => r.username, width: 16 },
    { header: 'Bills created', value: (r) => r.billsCreated },
    { header: 'Bills completed', value: (r) => r.billsCompleted },
    ...weightColumns<UserRow>(),
  ];
  const bills: Column<BillRow>[] = [
    { header: 'Bill number', value: (b) => b.billNumber, width: 18 },
    { header: 'Status', value: (b) => b.status },
    { header: 'Short', value: (b) => (b.isShort ? 'yes' : 'no') },
    { header: 'Created that day', value: (b) => (b.isCreatedThatDay ? 'yes' : 'no') },
    { header: 'Completed that day', value: (b) => (b.isCompletedThatDay ? 'yes' : 'no') },
    { header: 'Capacity', value: (b) => b.capacity },
    { header: 'Parents', value: (b) => b.parentCount },
    { header: 'Children', value: (b) => b.childCount },
    { header: 'Actual (kg)', value: (b) => b.actualWeightKg },
    { header: 'Expected (kg)', value: (b) => b.expectedWeightKg },
    { header: 'Variance (kg)', value: (b) => b.varianceKg },
    { header: 'Destination', value: (b) => b.destination, width: 20 },
    { header: 'Vehicle', value: (b) => b.vehicleNumber, width: 14 },
    { header: 'Created by', value: (b) => b.createdBy, width: 16 },
    { header: 'Completed by', value: (b) => b.completedBy, width: 16 },
    { header: `Created (${tz})`, value: (b) => localDateTime(b.createdAt, tz), width: 20 },
    { header: `Completed (${tz})`, value: (b) => localDateTime(b.completedAt, tz), width: 20 },
  ];
  const returns: Column<ReturnRow>[] = [
    { header: 'Bill number', value: (r) => r.billNumber, width: 18 },
    { header: 'Parent', value: (r) => r.parentCode, width: 14 },
    { header: 'Return ticket', value: (r) => r.ticketNumber, width: 20 },
    { header: 'Children', value: (r) => r.childrenBefore - r.childrenAfter },
    { header: 'Weight (kg)', value: (r) => r.weightBeforeKg - r.weightAfterKg },
    { header: 'Bill parents after', value: (r) => r.parentsAfter },
    { header: 'Returned by', value: (r) => r.returnedBy, width: 16 },
    { header: `Returned (${tz})`, value: (r) => localDateTime(r.returnedAt, tz), width: 20 },
  ];
  return [
    { name: 'Totals', columns: totals, rows: onePage([report.totals]) },
    { name: 'By status', columns: byStatus, rows: onePage(report.byStatus) },
    { name: 'By user', columns: byUser, rows: onePage(report.byUser) },
    { name: 'Bills', columns: bills, rows: onePage(report.bills) },
    { name: 'Returns', columns: returns, rows: onePage(report.returns.items) },
  ];
}
