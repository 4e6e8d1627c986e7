import type { BILL_MAX_CAPACITY } from '@tracetrack/shared';
import { createSignal, Show } from 'solid-js';

// The schema's limit, checked against shared/ by type: importing the value would pull zod into
// the page's chunk.
const MAX_CAPACITY: typeof BILL_MAX_CAPACITY = 500;

export interface BillEdit {
  capacity: number;
  destination: string;
  vehicleNumber: string;
  description: string;
}

/**
 * Edits what a bill's header says. Blank clears a text; capacity never goes below the parents
 * already loaded (the form says so; the server refuses it anyway).
 */
export function BillEditForm(props: {
  current: BillEdit;
  parentCount: number;
  onSave: (edit: BillEdit) => Promise<{ ok: boolean; message: string }>;
  onClose: () => void;
}) {
  const [result, setResult] = createSignal<{ ok: boolean; message: string } | null>(null);
  const [isSaving, setSaving] = createSignal(false);
  const onSubmit = async (e: SubmitEvent) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const text = (k: string) => String(f.get(k) ?? '').trim();
    setSaving(true);
    const res = await props.onSave({
      capacity: Number(text('capacity')), destination: text('destination'), vehicleNumber: text('vehicleNumber'), description: text('description'),
    });
    setSaving(false);
    setResult(res);
    if (res.ok) props.onClose();
  };
  return (
    <form class="grid-form card" aria-label="Edit bill" onSubmit={(e) => void onSubmit(e)}>
      <label for="edit-capacity">Capacity (parent bags)</label>
      <input id="edit-capacity" name="capacity" type="number" min={Math.max(1, props.parentCount)} max={MAX_CAPACITY} required value={props.current.capacity} />
      <label for="edit-destination">Destination</label>
      <input id="edit-destination" name="destination" maxlength={200} value={props.current.destination} />
      <label for="edit-vehicle">Vehicle number</label>
      <input id="edit-vehicle" name="vehicleNumber" maxlength={30} value={props.current.vehicleNumber} />
      <label for="edit-description">Description</label>
      <input id="edit-description" name="description" maxlength={500} value={props.current.description} />
      <div class="row">
        <button type="submit" class="button" disabled={isSaving()}>
          {isSaving() ? 'Saving…' : 'Save changes'}
        </button>
        <button type="button" class="button button-quiet" onClick={() => props.onClose()}>
          Cancel
        </button>
      </div>
      <Show when={result()?.ok === false}>
        <p class="error" role="alert">{result()?.message}</p>
      </Show>
    </form>
  );
}
