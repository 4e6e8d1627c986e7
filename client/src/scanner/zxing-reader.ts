import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';

// The wasm is served from our own origin (the CSP allows nothing else), never from a CDN.
prepareZXingModule({ overrides: { locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? wasmUrl : prefix + path) } });

export async function readCodesFromImageData(image: ImageData): Promise<string[]> {
  const results = await readBarcodes(image, { formats: ['QRCode', 'DataMatrix', 'Code128', 'Code39', 'EAN-13'], maxNumberOfSymbols: 1, tryHarder: true });
  return results.filter((r) => r.isValid).map((r) => r.text);
}
