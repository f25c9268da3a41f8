import { describe, expect, it } from 'vitest';
import { OutgoingRedaction } from './outgoingRedaction.js';

describe('OutgoingRedaction', () => {
  it('masks the part of a card typed in a later message, joined with the digits the earlier ones ended with', () => {
    const r = new OutgoingRedaction();
    expect(r.message('my card is 4242 4242', 0).text).toBe('my card is 4242 4242');
    expect(r.message('4242', 1000).text).toBe('4242');
    // The third part completes the card: what is sent now holds none of its digits but the last four.
    expect(r.message('4242 thanks', 2000).text).toBe('[card •••• 4242] thanks');
  });

  it('joins a card typed a few digits per message, over more than four messages (issue 15)', () => {
    const r = new OutgoingRedaction();
    const parts = ['42', '42', '424', '242', '424', '2', '42'];
    const sent = parts.map((p, k) => r.message(p, k * 1000).text);
    // The message that completes the card leaves the frame masked.
    expect(sent[sent.length - 1]).toBe('[card •••• 4242]');
  });

  it('redacts fields whose card is encoded or typed in compatibility digits (issue 15)', () => {
    const r = new OutgoingRedaction();
    expect(r.field('pan=%34%32%34%32%34%32%34%32%34%32%34%32%34%32%34%32')).toBe('pan=[card •••• 4242]');
    expect(r.field('Ann ⁴²⁴²•⁴²⁴²•⁴²⁴²•⁴²⁴²')).toBe('Ann [card •••• 4242]');
  });

  it('forgets the tail after ten minutes', () => {
    const r = new OutgoingRedaction();
    r.message('4242 4242', 0);
    expect(r.message('4242 4242', 11 * 60_000).text).toBe('4242 4242');
  });

  it('redacts fields on their own, in any digit form', () => {
    const r = new OutgoingRedaction();
    expect(r.field('Ann ４２４２４２４２４２４２４２４２')).toBe('Ann [card •••• 4242]');
    expect(r.field('4242.4242.4242.4242.pdf')).toBe('[card •••• 4242].pdf');
  });

  it('applies the tenant patterns after the built-in rules', () => {
    const r = new OutgoingRedaction();
    r.setPatterns([/AB-\d{6}/giu]);
    expect(r.message('AB-123456 and 4111 1111 1111 1111').text).toBe('[redacted] and [card •••• 1111]');
  });
});
