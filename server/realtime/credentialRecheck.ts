/**
 * An agent socket lives no longer than the credential that opened it. Sessions and keys are checked
 * at the upgrade; after that a socket receives its whole tenant's inbox, so a session revoked by an
 * admin, signed out, expired, or whose agent was disabled (in the console or by SCIM), and an API key
 * revoked, must end the sockets they opened too, on every node. Each node asks the database which
 * of its sockets' credentials still stand, every RECHECK_MS, in one query per kind; the others are
 * closed with CLOSE.UNAUTHORIZED (the console then shows its sign-in; clients do not reconnect).
 * Asking, rather than being told by each place that ends a credential, also covers expiry and any
 * way a credential ends that is added later. A failed check closes nothing (the database may be
 * down; the next check decides).
 */
import { CLOSE } from '../../protocol/closeCodes.js';
import type { Ctx } from '../context.js';
import { liveApiKeys, liveSessions } from '../queries/credentialQueries.js';
import type { AgentConnection } from './agentConnection.js';

/** The longest a socket outlives its credential. */
export const RECHECK_MS = 5_000;

export class CredentialRecheck {
  private timer: NodeJS.Timeout;
  private running: Promise<number> | null = null;

  constructor(
    private readonly ctx: Ctx,
    private readonly sockets: () => Iterable<AgentConnection>,
  ) {
    this.timer = setInterval(() => void this.run(), RECHECK_MS);
    this.timer.unref();
  }

  /** Closes the sockets whose credential no longer stands; resolves to how many. One check at a time. */
  run(): Promise<number> {
    this.running ??= this.check()
      .catch((err: Error) => {
        this.ctx.log.warn({ err: err.message }, 'agent socket credentials not rechecked');
        return 0;
      })
      .finally(() => (this.running = null));
    return this.running;
  }

  private async check(): Promise<number> {
    const open = [...this.sockets()];
    if (open.length === 0) return 0;
    const ids = (kind: 'session' | 'key') => [...new Set(open.filter((c) => c.credential.kind === kind).map((c) => c.credential.id))];
    const db = this.ctx.storage.db;
    const sessions = await liveSessions(db, ids('session'));
    const keys = await liveApiKeys(db, ids('key'));
    let closed = 0;
    for (const c of open) {
      if ((c.credential.kind === 'session' ? sessions : keys).has(c.credential.id)) continue;
      c.close(CLOSE.UNAUTHORIZED, c.credential.kind === 'session' ? 'signed out: the session ended' : 'the API key was revoked');
      closed++;
    }
    return closed;
  }

  close(): void {
    clearInterval(this.timer);
  }
}
