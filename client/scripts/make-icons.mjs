// Draws the app icons (a white "T" on the theme colour, nothing fetched) and writes them as PNGs.
// Run once with `node client/scripts/make-icons.mjs`; the PNGs are committed under public/icons.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const THEME = [0x0b, 0x3d, 0x2e];
const WHITE = [0xff, 0xff, 0xff];
const ACCENT = [0xf5, 0xc2, 0x18];

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** `safe` is the fraction of the icon the glyph may use (maskable icons keep it in the inner 80 %). */
function icon(size, safe) {
  const rows = [];
  const inset = ((1 - safe) / 2) * size;
  const u = (safe * size) / 10; // glyph grid unit
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3);
    for (let x = 0; x < size; x++) {
      const gx = (x - inset) / u;
      const gy = (y - inset) / u;
      const isBar = gy >= 2 && gy < 3.6 && gx >= 2 && gx < 8;
      const isStem = gy >= 2 && gy < 8 && gx >= 4.2 && gx < 5.8;
      const isUnderline = gy >= 8.4 && gy < 9 && gx >= 2 && gx < 8;
      const [r, g, b] = isBar || isStem ? WHITE : isUnderline ? ACCENT : THEME;
      row[1 + x * 3] = r;
      row[2 + x * 3] = g;
      row[3 + x * 3] = b;
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const out = new URL('../public/icons/', import.meta.url);
writeFileSync(new URL('icon-192.png', out), icon(192, 1));
writeFileSync(new URL('icon-512.png', out), icon(512, 1));
writeFileSync(new URL('maskable-512.png', out), icon(512, 0.7));
writeFileSync(new URL('apple-touch-icon.png', out), icon(180, 0.9));
console.log('icons written to', out.pathname);
