import { open } from 'node:fs/promises';
import type { ImportKind } from '@tracetrack/shared';
import type { Deps } from '../../deps';
import { LabelSheetReader } from './label-sheet-rows';
import { BagListReader, BillListReader } from './list-rows';
import * as q from './queries';
import { formatOf, readTable } from './read-table';
import type { ReadContext, StagedRow, StagedRowDraft } from './types';

/** Rows per insert while reading: the file streams in, pages of rows go out. */
const PAGE = 1000;

/** What a unit is called in the report, per kind. */
export const UNIT_NAME: Record<ImportKind, string> = { 'label-sheet': 'batch', bags: 'parent', bills: 'bill' };

async function firstBytes(filePath: string): Promise<Buffer> {
  const file = await open(filePath, 'r');
  try {
    const buffer = Buffer.alloc(4);
    const { bytesRead } = await file.read(buffer, 0, 4, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

async function readContext(deps: Pick<Deps, 'db'>, kind: ImportKind, area: string | null): Promise<ReadContext> {
  const areas = new Map<string, string>();
  for (const a of await q.areaNames(deps.db)) {
    areas.set(a.code.toLowerCase(), a.code);
    areas.set(a.name.toLowerCase(), a.code);
  }
  return { kind, area, areaOf: (text) => areas.get(text.trim().toLowerCase()) ?? null };
}

/**
 * Reads the stored upload into import_rows, streaming (one page of rows in memory), then judges
 * what the file alone decides: duplicates, orphaned batches, batches over capacity, and units
 * blocked by any of their rows. Starts over from the file when called again (a resume).
 */
export async function stageUpload(
  deps: Pick<Deps, 'db'>,
  imp: { id: string; kind: ImportKind; area: string | null },
  filePath: string,
  onProgress: (rowsRead: number) => Promise<void>,
): Promise<void> {
  await q.deleteRows(deps.db, imp.id);
  const ctx = await readContext(deps, imp.kind, imp.area);
  const label = imp.kind === 'label-sheet' ? new LabelSheetReader() : null;
  const reader = label ?? (imp.kind === 'bags' ? new BagListReader(ctx) : new BillListReader(ctx));
  let page: StagedRow[] = [];
  let seq = 0;
  const flush = async () => {
    await q.insertRows(deps.db, imp.id, page);
    page = [];
    await onProgress(seq);
  };
  const add = async (draft: StagedRowDraft) => {
    seq += 1;
    page.push({ ...draft, seq });
    if (page.length >= PAGE) await flush();
  };
  for await (const row of readTable(filePath, formatOf(await firstBytes(filePath)))) {
    for (const draft of reader.read(row)) await add(draft);
  }
  label?.finish();
  await flush();

  if (label) {
    await q.markOrphanUnits(deps.db, imp.id, label.orphanUnits);
    await q.linkLabelChildrenToParents(deps.db, imp.id);
  } else if (imp.kind === 'bags') {
    await q.groupBagUnits(deps.db, imp.id, imp.area);
  } else {
    await q.unitPerRow(deps.db, imp.id);
  }
  await q.markDuplicates(deps.db, imp.id, imp.kind);
  await q.blockUnitsWithErrors(deps.db, imp.id, UNIT_NAME[imp.kind]);
}
