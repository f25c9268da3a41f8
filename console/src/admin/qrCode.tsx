/**
 * A QR code drawn here, in the browser (uqr encodes; no image service ever sees the secret), as SVG
 * elements built by Preact, not an SVG string: nothing is parsed as markup.
 */
import { encode } from 'uqr';

/** One SVG path with a 1×1 square per dark module, in module units (border included). */
export function qrPath(text: string): { size: number; d: string } {
  const { data, size } = encode(text, { ecc: 'M', border: 2 });
  let d = '';
  data.forEach((row, y) => row.forEach((dark, x) => dark && (d += `M${x} ${y}h1v1h-1z`)));
  return { size, d };
}

export function QrCode(props: { text: string; label: string }) {
  const { size, d } = qrPath(props.text);
  return (
    <svg class="qr" viewBox={`0 0 ${size} ${size}`} width={size * 5} height={size * 5} role="img" aria-label={props.label} shape-rendering="crispEdges">
      <rect width={size} height={size} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}
