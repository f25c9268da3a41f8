/**
 * What a file really is, from its first bytes (never from its name or the declared type). Only
 * these types are accepted as attachments; anything else (HTML, SVG, scripts, executables) is refused.
 */
export interface SniffedType {
  type: string;
  image: boolean;
  ext: string;
}

const starts = (b: Buffer, sig: number[], at = 0) => sig.every((v, i) => b[at + i] === v);

export function sniffFile(b: Buffer): SniffedType | null {
  if (starts(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { type: 'image/png', image: true, ext: 'png' };
  if (starts(b, [0xff, 0xd8, 0xff])) return { type: 'image/jpeg', image: true, ext: 'jpg' };
  if (b.subarray(0, 6).toString('latin1') === 'GIF87a' || b.subarray(0, 6).toString('latin1') === 'GIF89a') return { type: 'image/gif', image: true, ext: 'gif' };
  if (b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP') return { type: 'image/webp', image: true, ext: 'webp' };
  if (b.subarray(0, 5).toString('latin1') === '%PDF-') return { type: 'application/pdf', image: false, ext: 'pdf' };
  return null;
}

/** A file name safe to show and to put in Content-Disposition: no path, no control or quote characters. */
export function cleanFileName(raw: string, ext: string): string {
  const base = raw.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[\u0000-\u001f\u007f"\\;]/g, '').trim().slice(0, 120);
  const name = cleaned || 'file';
  return name.toLowerCase().endsWith('.' + ext) ? name : `${name}.${ext}`;
}
