import type { LabelReservation, LabelReserveInput, LabelSheet } from '@tracetrack/shared';
import { api, describeFailure } from '../../api/trpc';

type Result<T> = T | { error: string };

export async function reserveLabels(input: LabelReserveInput): Promise<Result<LabelReservation>> {
  try {
    return await api.label.reserve.mutate(input);
  } catch (e) {
    return { error: describeFailure(e).message };
  }
}

export async function fetchReservations(cursor?: string): Promise<Result<{ items: LabelReservation[]; nextCursor: string | null }>> {
  try {
    return await api.label.list.query({ limit: 50, ...(cursor ? { cursor } : {}) });
  } catch (e) {
    return { error: describeFailure(e).message };
  }
}

export async function fetchLabelSheet(id: number, symbology: 'qrcode' | 'code128'): Promise<Result<LabelSheet>> {
  try {
    return await api.label.sheet.query({ id, symbology });
  } catch (e) {
    return { error: describeFailure(e).message };
  }
}

/** The printed grid: A4 (210 × 297 mm), labels of a fixed size in columns and rows. */
export interface LabelLayout {
  columns: number;
  rows: number;
  /** Page margins and the gap between labels, in millimetres. */
  marginTopMm: number;
  marginLeftMm: number;
  gapMm: number;
  labelWidthMm: number;
  labelHeightMm: number;
  symbology: 'qrcode' | 'code128';
}

/** 3 × 8 labels of 63.5 × 33.9 mm (the common 24-up A4 sheet). */
export const DEFAULT_LAYOUT: LabelLayout = {
  columns: 3, rows: 8, marginTopMm: 12.9, marginLeftMm: 7.2, gapMm: 0, labelWidthMm: 63.5, labelHeightMm: 33.9, symbology: 'qrcode',
};

const A4 = { widthMm: 210, heightMm: 297 };

/** Why a layout does not fit on A4, or null when it does. */
export function layoutProblem(l: LabelLayout): string | null {
  const values = [l.columns, l.rows, l.labelWidthMm, l.labelHeightMm];
  if (values.some((v) => !Number.isFinite(v) || v <= 0) || [l.marginTopMm, l.marginLeftMm, l.gapMm].some((v) => !Number.isFinite(v) || v < 0)) {
    return 'Every size must be a positive number.';
  }
  const width = l.marginLeftMm + l.columns * l.labelWidthMm + (l.columns - 1) * l.gapMm;
  const height = l.marginTopMm + l.rows * l.labelHeightMm + (l.rows - 1) * l.gapMm;
  if (width > A4.widthMm) return `The labels are ${width.toFixed(1)} mm wide with the margin: more than A4's 210 mm.`;
  if (height > A4.heightMm) return `The labels are ${height.toFixed(1)} mm tall with the margin: more than A4's 297 mm.`;
  return null;
}

const LAYOUT_KEY = 'tt:label-layout';

export function loadLayout(): LabelLayout {
  try {
    const saved = JSON.parse(localStorage.getItem(LAYOUT_KEY) ?? 'null') as Partial<LabelLayout> | null;
    const layout = { ...DEFAULT_LAYOUT, ...(saved ?? {}) };
    return layoutProblem(layout) ? DEFAULT_LAYOUT : layout;
  } catch {
    return DEFAULT_LAYOUT;
  }
}

export function saveLayout(layout: LabelLayout): void {
  localStorage.setItem(LAYOUT_KEY, JSON.stringify(layout));
}
