/**
 * Test-only faults in the access audit's one writer (security/auditLog.ts, appendAudit), for the
 * fail-closed tests (realtime/auditFailClosed.test.ts, webhooks/webhookAuditFirst.test.ts,
 * security/mailAudit.test.ts). Installed by the test file itself, so production code has no hook:
 *
 *   vi.mock('../security/auditLog.js', async (real) => withAuditFaults(await real()));
 *
 * For the actions named, an append can be held until the test opens the gate, or made to fail; and
 * every entry of those actions is noted in `durable` once its append has committed, so a test can
 * check, at the instant data leaves, that its entry was already written.
 */
import type * as AuditLog from '../security/auditLog.js';

type Append = typeof AuditLog.appendAudit;

export const auditFaults = {
  /** Actions whose appends are watched (held, failed, noted). */
  actions: new Set<string>(),
  /** While set, watched appends wait for it. */
  gate: null as Promise<void> | null,
  /** Watched appends fail (after the gate). */
  fail: false,
  /** `credential|conversationId|visitorId` of each watched entry once committed. */
  durable: new Set<string>(),
  /** Watched appends started so far (reached the gate). */
  started: 0,
  reset(): void {
    this.actions.clear();
    this.gate = null;
    this.fail = false;
    this.durable.clear();
    this.started = 0;
  },
  /** Closes the gate; returns the function that opens it. */
  hold(): () => void {
    let open!: () => void;
    this.gate = new Promise<void>((r) => (open = r));
    return () => {
      this.gate = null;
      open();
    };
  },
  isDurable(credential: string | null, conversationId: string | null, visitorId: string | null = null): boolean {
    return [...this.durable].some((k) => {
      const [c, conv, v] = k.split('|');
      return (credential === null || c === credential) && (conversationId === null || conv === conversationId) && (visitorId === null || v === visitorId);
    });
  },
};

export function withAuditFaults<T extends { appendAudit: Append }>(real: T): T {
  const appendAudit: Append = async (db, actor, records) => {
    if (!records.some((r) => auditFaults.actions.has(r.action))) return real.appendAudit(db, actor, records);
    auditFaults.started++;
    if (auditFaults.gate) await auditFaults.gate;
    if (auditFaults.fail) throw new Error('audit write failed (injected by the test)');
    await real.appendAudit(db, actor, records);
    for (const r of records) auditFaults.durable.add(`${actor.credential}|${r.conversationId ?? ''}|${r.visitorId ?? ''}`);
  };
  return { ...real, appendAudit };
}
