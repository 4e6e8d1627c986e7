import type { TwoFactorEnrolment } from '@tracetrack/shared';
import { createSignal, Show } from 'solid-js';
import { beginTwoFactor, confirmTwoFactor, finishTwoFactor } from '../features/accounts/account';
import { RecoveryCodes } from './recovery-codes';

/**
 * Turning on two-step sign-in: the server makes a secret and its QR code (an SVG, shown as an
 * image so nothing runs within the page's CSP), the person adds it to an authenticator app,
 * confirms with a code, and gets the recovery codes once.
 */
export function TwoFactorEnrol(props: { onDone: () => void }) {
  const [enrolment, setEnrolment] = createSignal<TwoFactorEnrolment | null>(null);
  const [codes, setCodes] = createSignal<string[] | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [isBusy, setBusy] = createSignal(false);

  const begin = async () => {
    setBusy(true);
    setError(null);
    const res = await beginTwoFactor();
    setBusy(false);
    if (res.ok) setEnrolment(res.value);
    else setError(res.message);
  };

  const confirm = async (e: SubmitEvent) => {
    e.preventDefault();
    const code = String(new FormData(e.currentTarget as HTMLFormElement).get('code') ?? '').trim();
    setBusy(true);
    setError(null);
    const res = await confirmTwoFactor(code);
    setBusy(false);
    if (res.ok) setCodes(res.value);
    else setError(res.message);
  };

  const qrSrc = (svg: string) => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;

  return (
    <div class="stack" data-testid="two-factor-enrol">
      <Show when={codes()}>{(c) => <RecoveryCodes codes={c()} onDone={() => void finishTwoFactor().then(() => props.onDone())} />}</Show>
      <Show when={!codes()}>
        <Show
          when={enrolment()}
          fallback={
            <button type="button" class="button" disabled={isBusy()} onClick={() => void begin()}>
              {isBusy() ? 'Starting…' : 'Set up two-step sign-in'}
            </button>
          }
        >
          {(en) => (
            <>
              <ol class="steps">
                <li>Open an authenticator app on your phone (Google Authenticator, Microsoft Authenticator, 2FAS, …).</li>
                <li>Scan this code, or type the key below into the app.</li>
              </ol>
              <img class="qr" src={qrSrc(en().qrSvg)} alt="QR code to add TraceTrack to your authenticator app" width="200" height="200" />
              <p>
                Key: <code class="secret" data-testid="two-factor-secret">{en().secret}</code>
              </p>
              <form class="stack" onSubmit={(e) => void confirm(e)}>
                <label for="enrol-code">6-digit code from the app</label>
                <input id="enrol-code" name="code" inputmode="numeric" autocomplete="one-time-code" required maxlength={8} />
                <button type="submit" class="button" disabled={isBusy()}>
                  {isBusy() ? 'Checking…' : 'Turn on two-step sign-in'}
                </button>
              </form>
            </>
          )}
        </Show>
        <Show when={error()}>
          <p class="error" role="alert">{error()}</p>
        </Show>
      </Show>
    </div>
  );
}
