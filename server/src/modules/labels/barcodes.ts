import bwipjs from 'bwip-js/node';

export type Symbology = 'qrcode' | 'code128';

/**
 * A code's barcode as an SVG document (bwip-js draws it with paths only: no script, no external
 * reference), shown by the label sheet as an image, which the CSP allows (img-src data:).
 * QR (bwip-js's default medium error correction) reads from a phone camera; Code 128 suits laser scanners.
 */
export function barcodeSvg(code: string, symbology: Symbology): string {
  return symbology === 'qrcode'
    ? bwipjs.toSVG({ bcid: 'qrcode', text: code })
    : bwipjs.toSVG({ bcid: 'code128', text: code, height: 12, includetext: false });
}
