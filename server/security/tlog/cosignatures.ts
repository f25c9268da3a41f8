/**
 * Collects witness cosignatures for a log's checkpoints (the node side of c2sp.org/tlog-witness)
 * and attaches them to the checkpoint it serves. Each witness keeps its own last cosigned size; we
 * remember what it told us (a 409 tells it again), so a consistency proof from there goes with
 * every submission. A witness that refuses (fork, rollback, bad signature) simply gives no
 * cosignature: verifiers that require it then reject the checkpoint.
 */
import type { Logger } from 'pino';
import { parsePairs } from '../../periodicJob.js';
import { parseNote, parseVerifierKey, type NoteVerifier } from './note.js';
import { submitCheckpoint, WitnessRefused } from './witness.js';

export interface WitnessConfig {
  url: string;
  /** Verifier key of the witness's cosignatures (type 0x04). */
  vkey: string;
}

/** TLOG_WITNESSES: comma-separated "<url> <vkey>" pairs. */
export function parseWitnesses(raw: string | undefined, problems: string[]): WitnessConfig[] {
  return parsePairs('TLOG_WITNESSES', raw, problems, (url, vkey) => {
    if (!/^https?:$/.test(new URL(url).protocol)) throw new Error('the URL must be http(s)');
    if (parseVerifierKey(vkey).type !== 0x04) throw new Error('the key must be a cosignature (0x04) verifier key');
    return { url, vkey };
  });
}

export class CosignatureCollector {
  private readonly witnesses: Array<{ url: string; verifier: NoteVerifier; knownSize?: number; line?: string; forText?: string; error?: string }>;

  constructor(
    witnesses: WitnessConfig[],
    private readonly log: Pick<Logger, 'warn' | 'error'>,
  ) {
    this.witnesses = witnesses.map((w) => ({ url: w.url, verifier: parseVerifierKey(w.vkey) }));
  }

  /**
   * Submits `checkpoint` (a signed note of a tree of `size`) to every witness; failures are logged,
   * not thrown. A refusal (WitnessRefused: the witness cosigned a larger or different tree) is also
   * told to `onRefused` (the audit log raises it as tampering).
   */
  async collect(checkpoint: string, size: number, proofFrom: (oldSize: number) => Buffer[], onRefused?: (witness: string, err: WitnessRefused) => Promise<void>): Promise<void> {
    const text = parseNote(checkpoint).text;
    await Promise.all(
      this.witnesses.map(async (w) => {
        if (w.forText === text) return;
        try {
          const got = await submitCheckpoint({ url: w.url, witness: w.verifier, checkpoint, size, knownSize: w.knownSize, proofFrom });
          Object.assign(w, { knownSize: size, line: got.line, forText: text, error: undefined });
        } catch (err) {
          w.error = (err as Error).message;
          if (err instanceof WitnessRefused) {
            this.log.error({ witness: w.url, err: w.error }, 'witness refused the checkpoint');
            await onRefused?.(w.url, err);
          } else this.log.warn({ witness: w.url, err: w.error }, 'witness did not cosign the checkpoint');
        }
      }),
    );
  }

  /** `checkpoint` with every cosignature collected for exactly its text appended. */
  cosigned(checkpoint: string): string {
    const text = parseNote(checkpoint).text;
    const lines = this.witnesses.filter((w) => w.forText === text && w.line).map((w) => w.line + '\n');
    return checkpoint + lines.join('');
  }

  status(): Array<{ url: string; name: string; cosignedSize: number | null; error: string | null }> {
    return this.witnesses.map((w) => ({ url: w.url, name: w.verifier.name, cosignedSize: w.knownSize ?? null, error: w.error ?? null }));
  }
}
