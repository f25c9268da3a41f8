import { describe, expect, it } from 'vitest';
import { encode } from 'uqr';
import { qrPath } from './qrCode.js';

describe('qrPath', () => {
  it('draws one square per dark module of the otpauth URI, finder patterns included', () => {
    const uri = 'otpauth://totp/Parley:admin%40demo.parley.local?secret=JBSWY3DPEHPK3PXP&issuer=Parley';
    const { size, d } = qrPath(uri);
    const { data } = encode(uri, { ecc: 'M', border: 2 });
    expect(size).toBe(data.length);
    expect(d.match(/M/g)!.length).toBe(data.flat().filter(Boolean).length);
    // The top-left finder pattern: a dark 7×7 ring starting after the 2-module border.
    for (let i = 0; i < 7; i++) {
      expect(d).toContain(`M${2 + i} 2h1v1h-1z`);
      expect(d).toContain(`M2 ${2 + i}h1v1h-1z`);
    }
    // Different secrets, different codes.
    expect(qrPath(uri.replace('JBSW', 'KBSW')).d).not.toBe(d);
  });
});
