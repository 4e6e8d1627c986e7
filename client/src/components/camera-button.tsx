import { createSignal, onCleanup, Show } from 'solid-js';
import { type CameraScan, startCameraScan } from '../scanner/camera';

/** Opens the camera until one code is read, then hands it over like any other scan. */
export function CameraButton(props: { onCode: (code: string) => void }) {
  const [isOpen, setOpen] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const [engine, setEngine] = createSignal<string>('');
  let video: HTMLVideoElement | undefined;
  let scan: CameraScan | null = null;

  const close = () => {
    scan?.stop();
    scan = null;
    setOpen(false);
  };
  onCleanup(close);

  const open = async () => {
    setError(null);
    setOpen(true);
    try {
      scan = await startCameraScan(video!, (code) => {
        close();
        props.onCode(code);
      });
      setEngine(scan.engine === 'native' ? 'BarcodeDetector' : 'ZXing (wasm)');
    } catch (e) {
      close();
      setError(e instanceof Error ? `Camera unavailable: ${e.message}` : 'Camera unavailable');
    }
  };

  return (
    <div class="camera">
      <Show when={!isOpen()}>
        <button type="button" class="button" onClick={() => void open()}>
          Scan with camera
        </button>
      </Show>
      <div class="camera-view" classList={{ hidden: !isOpen() }}>
        <video ref={video} muted playsinline aria-label="Camera preview" />
        <div class="row">
          <span class="muted">{engine()}</span>
          <button type="button" class="button button-quiet" onClick={close}>
            Close camera
          </button>
        </div>
      </div>
      <Show when={error()}>
        <p class="error">{error()}</p>
      </Show>
    </div>
  );
}
