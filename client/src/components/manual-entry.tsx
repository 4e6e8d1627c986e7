/** Typing a code by hand: a labelled field and a button. Scanning into the focused field works too. */
export function ManualEntry(props: { label: string; buttonText: string; onCode: (code: string) => void; id: string }) {
  const onSubmit = (e: SubmitEvent) => {
    e.preventDefault();
    const input = (e.currentTarget as HTMLFormElement).elements.namedItem('code') as HTMLInputElement;
    const code = input.value.trim();
    if (!code) return;
    input.value = '';
    props.onCode(code);
  };
  return (
    <form class="manual-entry" onSubmit={onSubmit}>
      <label for={props.id}>{props.label}</label>
      <div class="row">
        <input id={props.id} name="code" autocomplete="off" autocapitalize="characters" spellcheck={false} maxlength={100} />
        <button type="submit" class="button">
          {props.buttonText}
        </button>
      </div>
    </form>
  );
}
