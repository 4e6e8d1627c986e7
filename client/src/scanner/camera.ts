/** Camera scanning: the browser's BarcodeDetector when it has one, otherwise ZXing compiled to wasm. */
interface DetectedBarcode {
  rawValue: string;
}
interface BarcodeDetectorLike {
  detect(source: CanvasImageSource): Promise<DetectedBarcode[]>;
}
declare global {
  interface Window {
    BarcodeDetector?: { new (opts?: { formats: string[] }): BarcodeDetectorLike; getSupportedFormats(): Promise<string[]> };
  }
}

const WANTED = ['qr_code', 'data_matrix', 'code_128', 'code_39', 'ean_13'];

type FrameReader = (video: HTMLVideoElement) => Promise<string[]>;

async function nativeReader(): Promise<FrameReader | null> {
  const Detector = window.BarcodeDetector;
  if (!Detector) return null;
  const supported = await Detector.getSupportedFormats().catch(() => [] as string[]);
  const formats = WANTED.filter((f) => supported.includes(f));
  if (formats.length === 0) return null;
  const detector = new Detector({ formats });
  return async (video) => (await detector.detect(video)).map((b) => b.rawValue);
}

async function wasmReader(): Promise<FrameReader> {
  const { readCodesFromImageData } = await import('./zxing-reader');
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  return async (video) => {
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    if (!canvas.width || !canvas.height) return [];
    ctx.drawImage(video, 0, 0);
    return readCodesFromImageData(ctx.getImageData(0, 0, canvas.width, canvas.height));
  };
}

export interface CameraScan {
  stop(): void;
  engine: 'native' | 'wasm';
}

/** Starts the rear camera into `video` and calls `onCode` with the first code seen; then stops. */
export async function startCameraScan(video: HTMLVideoElement, onCode: (code: string) => void): Promise<CameraScan> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
  video.srcObject = stream;
  video.setAttribute('playsinline', '');
  await video.play();
  const native = await nativeReader();
  const read = native ?? (await wasmReader());
  let isStopped = false;
  const stop = () => {
    isStopped = true;
    for (const t of stream.getTracks()) t.stop();
    video.srcObject = null;
  };
  const tick = async () => {
    if (isStopped) return;
    const codes = await read(video).catch(() => [] as string[]);
    const code = codes.find((c) => c.trim().length > 0);
    if (code) {
      stop();
      onCode(code);
      return;
    }
    setTimeout(() => void tick(), 120);
  };
  void tick();
  return { stop, engine: native ? 'native' : 'wasm' };
}
