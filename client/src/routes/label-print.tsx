import { A, useParams } from '@solidjs/router';
import type { LabelSheet } from '@tracetrack/shared';
import { createEffect, createResource, createSignal, For, Index, onCleanup, Show } from 'solid-js';
import { fetchLabelSheet, type LabelLayout, layoutProblem, loadLayout, saveLayout } from '../features/labels/labels';

const svgSource = (svg: string) => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;

function pagesOf<T>(items: readonly T[], perPage: number): T[][] {
  const pages: T[][] = [];
  for (let i = 0; i < items.length; i += perPage) pages.push(items.slice(i, i + perPage));
  return pages;
}

const FIELDS: Array<{ key: Exclude<keyof LabelLayout, 'symbology'>; label: string; step: string }> = [
  { key: 'columns', label: 'Columns', step: '1' },
  { key: 'rows', label: 'Rows', step: '1' },
  { key: 'labelWidthMm', label: 'Label width (mm)', step: '0.1' },
  { key: 'labelHeightMm', label: 'Label height (mm)', step: '0.1' },
  { key: 'marginTopMm', label: 'Top margin (mm)', step: '0.1' },
  { key: 'marginLeftMm', label: 'Left margin (mm)', step: '0.1' },
  { key: 'gapMm', label: 'Gap (mm)', step: '0.1' },
];

/** A reservation's label sheet: A4 pages in the chosen grid, each label its code and barcode. */
export default function LabelPrint() {
  const params = useParams<{ id: string }>();
  const [layout, setLayout] = createSignal<LabelLayout>(loadLayout());
  const [sheet] = createResource(() => ({ id: Number(params.id), symbology: layout().symbology }), (k) => fetchLabelSheet(k.id, k.symbology));
  const problem = () => layoutProblem(layout());
  const loaded = (): LabelSheet | null => {
    const s = sheet();
    return s && !('error' in s) ? s : null;
  };
  createEffect(() => {
    if (!problem()) saveLayout(layout());
  });
  document.body.classList.add('printing-labels');
  onCleanup(() => document.body.classList.remove('printing-labels'));

  const update = (key: keyof LabelLayout, value: string) => setLayout({ ...layout(), [key]: key === 'symbology' ? value : Number(value) } as LabelLayout);
  const pageStyle = () => {
    const l = layout();
    return {
      'grid-template-columns': `repeat(${l.columns}, ${l.labelWidthMm}mm)`,
      'grid-auto-rows': `${l.labelHeightMm}mm`,
      gap: `${l.gapMm}mm`,
      padding: `${l.marginTopMm}mm 0 0 ${l.marginLeftMm}mm`,
      'align-content': 'start',
    };
  };
  const barcodeStyle = () => {
    const l = layout();
    // Room for the code's text below, and a white margin (the img's padding) all round: scanners
    // need a quiet zone, and bwip-js draws none.
    const height = l.labelHeightMm - 9;
    const side = Math.max(4, Math.min(height, l.labelWidthMm - 6));
    return l.symbology === 'qrcode' ? { width: `${side}mm`, height: `${side}mm` } : { width: `${Math.max(4, l.labelWidthMm - 8)}mm`, height: `${Math.max(4, height)}mm` };
  };

  return (
    <main class="page">
      <div class="no-print">
        <h1>Print labels</h1>
        <p>
          <A href="/labels">Back to labels</A>
        </p>
        <form class="label-settings" onSubmit={(e) => e.preventDefault()} aria-label="Sheet layout">
          <label>
            Barcode
            <select value={layout().symbology} onChange={(e) => update('symbology', e.currentTarget.value)}>
              <option value="qrcode">QR code</option>
              <option value="code128">Code 128</option>
            </select>
          </label>
          <For each={FIELDS}>
            {(f) => (
              <label>
                {f.label}
                <input type="number" min="0" step={f.step} value={layout()[f.key]} onChange={(e) => update(f.key, e.currentTarget.value)} />
              </label>
            )}
          </For>
          <button type="button" class="button" disabled={!loaded() || !!problem()} onClick={() => window.print()}>
            Print
          </button>
        </form>
        <Show when={problem()}>
          <p class="error" role="alert">{problem()}</p>
        </Show>
        <Show when={(() => { const s = sheet(); return s && 'error' in s ? s.error : null; })()}>
          {(message) => <p class="error" role="alert">{message()}</p>}
        </Show>
        <Show when={loaded()}>
          {(s) => (
            <p data-testid="label-summary">
              {s().labels.length.toLocaleString('en-IN')} labels, {s().reservation.firstCode} to {s().reservation.lastCode}, on{' '}
              {Math.ceil(s().labels.length / (layout().columns * layout().rows))} A4 pages.
            </p>
          )}
        </Show>
      </div>
      <Show when={loaded() && !problem() ? loaded() : null}>
        {(s) => (
          <div class="label-sheet-preview" data-testid="label-sheet">
            <For each={pagesOf(s().labels, layout().columns * layout().rows)}>
              {(page) => (
                <section class="label-page" style={pageStyle()}>
                  <Index each={page}>
                    {(label) => (
                      <div class="label" data-code={label().code}>
                        <img src={svgSource(label().svg)} alt={`Barcode of ${label().code}`} style={barcodeStyle()} />
                        <span class="label-code">{label().code}</span>
                      </div>
                    )}
                  </Index>
                </section>
              )}
            </For>
          </div>
        )}
      </Show>
    </main>
  );
}
