/**
 * The SLA job (every SLA_CHECK_MS on every node): gives SLA rows to open conversations that lack one
 * (an event lost between commit and the tracker), and raises breaches. Before declaring one it
 * re-reads the messages (first and next response) or the conversation (resolution), so a clock the
 * tracker missed is settled as met rather than breached. A breach is claimed by a conditional UPDATE
 * (`… breached_at IS NULL`, and for a reply cycle the same deadline) in one transaction with its
 * `sla.breached` webhook deliveries: when several nodes run the job, exactly one claims it, and the
 * webhook is queued exactly when the claim commits. The claiming node then tells the agents
 * (`sla.breached` and `sla.changed` domain events).
 */
import type { SlaBreachView, SlaTarget } from '../../protocol/sla.js';
import type { Ctx } from '../context.js';
import { PeriodicJob } from '../periodicJob.js';
import type { SlaRow } from '../queries/slaQueries.js';
import type { Db } from '../storage/db.js';
import { enqueueWebhookEvent } from '../webhooks/webhookEvents.js';
import { publishSla, startSla, type SlaDeps } from './slaTracker.js';

const BATCH = 500;

type BreachColumn = 'first_response_breached_at' | 'next_response_breached_at' | 'resolution_breached_at';
const COLUMN: Record<SlaTarget, BreachColumn> = { first_response: 'first_response_breached_at', next_response: 'next_response_breached_at', resolution: 'resolution_breached_at' };

export class SlaMonitor {
  private readonly job: PeriodicJob;
  private readonly deps: SlaDeps;

  constructor(private readonly ctx: Ctx) {
    this.deps = { db: ctx.storage.db, bus: ctx.bus, log: ctx.log };
    this.job = new PeriodicJob('SLA check', ctx.log, async () => void (await this.pass()));
  }

  start(): void {
    this.job.start(this.ctx.env.slaCheckMs);
  }

  stop(): Promise<void> {
    return this.job.stop();
  }

  /** One pass; returns the breaches this node claimed. */
  async pass(now = Date.now()): Promise<SlaBreachView[]> {
    const db = this.ctx.storage.db;
    // Open conversations of a team with a policy but no SLA row yet.
    const missing = await db
      .selectFrom('conversations as c')
      .innerJoin('sla_policies as p', (j) => j.onRef('p.team_id', '=', 'c.team_id').onRef('p.tenant_id', '=', 'c.tenant_id'))
      .leftJoin('conversation_sla as s', 's.conversation_id', 'c.id')
      .select(['c.id', 'c.tenant_id'])
      .where('c.status', '=', 'open')
      .where('s.conversation_id', 'is', null)
      .limit(BATCH)
      .execute();
    for (const m of missing) if (await startSla(db, m.tenant_id, m.id)) await publishSla(this.deps, m.tenant_id, m.id);

    // Clocks past their deadline, not yet breached and not met in time.
    const due = await db
      .selectFrom('conversation_sla')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb.and([
            eb('first_response_breached_at', 'is', null),
            eb('first_response_due_at', '<=', now),
            eb.or([eb('first_response_at', 'is', null), eb('first_response_at', '>', eb.ref('first_response_due_at'))]),
            eb.or([eb('closed_at', 'is', null), eb('closed_at', '>', eb.ref('first_response_due_at'))]),
          ]),
          eb.and([eb('next_response_breached_at', 'is', null), eb('next_response_due_at', '<=', now)]),
          eb.and([
            eb('resolution_breached_at', 'is', null),
            eb('resolution_due_at', '<=', now),
            eb.or([eb('resolved_at', 'is', null), eb('resolved_at', '>', eb.ref('resolution_due_at'))]),
          ]),
        ]),
      )
      .limit(BATCH)
      .execute();
    const raised: SlaBreachView[] = [];
    for (const row of due) {
      for (const target of ['first_response', 'next_response', 'resolution'] as const) {
        const breach = await this.check(row, target, now);
        if (breach) raised.push(breach);
      }
    }
    return raised;
  }

  /** Settles one target of one row: met after all (recorded), breached (claimed here), or nothing to do. */
  private async check(row: SlaRow, target: SlaTarget, now: number): Promise<SlaBreachView | null> {
    const db = this.ctx.storage.db;
    const { tenant_id: tenantId, conversation_id: id } = row;
    const col = COLUMN[target];
    const dueRaw = target === 'first_response' ? row.first_response_due_at : target === 'next_response' ? row.next_response_due_at : row.resolution_due_at;
    if (dueRaw === null || row[col] !== null || Number(dueRaw) > now) return null;
    const due = Number(dueRaw);
    const metAt = await this.metAt(db, row, target);
    if (target === 'first_response' && row.first_response_at !== null && Number(row.first_response_at) <= due) return null;
    if (target === 'first_response' && row.closed_at !== null && Number(row.closed_at) <= due && metAt === null) return null;
    if (target === 'resolution' && row.resolved_at !== null && Number(row.resolved_at) <= due) return null;
    if (metAt !== null && metAt <= due) {
      // The tracker missed it: met in time after all.
      await this.recordMet(db, row, target, metAt, due);
      await publishSla(this.deps, tenantId, id);
      return null;
    }
    const policy = await db
      .selectFrom('sla_policies as p')
      .leftJoin('teams as t', (j) => j.onRef('t.id', '=', 'p.team_id').on('t.tenant_id', '=', tenantId))
      .select(['p.id', 'p.name', 't.id as team_id', 't.name as team_name'])
      .where('p.tenant_id', '=', tenantId)
      .where('p.id', '=', row.policy_id)
      .executeTakeFirst();
    const breach: SlaBreachView = {
      conversationId: id,
      policy: { id: row.policy_id, name: policy?.name ?? '' },
      team: policy?.team_id ? { id: policy.team_id, name: policy.team_name ?? '' } : null,
      target,
      dueAt: new Date(due).toISOString(),
      breachedAt: new Date(now).toISOString(),
    };
    const claimed = await db.transaction().execute(async (trx) => {
      let q = trx.updateTable('conversation_sla').where('conversation_id', '=', id).where('tenant_id', '=', tenantId).where(col, 'is', null);
      if (target === 'next_response') {
        q = q.where('next_response_due_at', '=', due);
        // A late reply already came: the cycle ends here, counted as breached.
        q = metAt !== null
          ? q.set((eb) => ({ next_breached: eb('next_breached', '+', 1), next_response_started_at: null, next_response_due_at: null, next_response_breached_at: null }))
          : q.set((eb) => ({ next_breached: eb('next_breached', '+', 1), next_response_breached_at: now }));
      } else if (target === 'first_response') {
        q = q.set({ first_response_breached_at: now, ...(metAt !== null && row.first_response_at === null ? { first_response_at: metAt } : {}) });
      } else {
        q = q.set({ resolution_breached_at: now, ...(metAt !== null && row.resolved_at === null ? { resolved_at: metAt } : {}) });
      }
      const r = await q.executeTakeFirst();
      if (r.numUpdatedRows === 0n) return false; // another node claimed it, or the clock moved on
      await enqueueWebhookEvent(trx, tenantId, 'sla.breached', breach);
      return true;
    });
    if (!claimed) return null;
    this.ctx.log.info({ tenantId, conversationId: id, target }, 'SLA breached');
    await this.ctx.bus.publish({ type: 'sla.breached', tenantId, breach });
    await publishSla(this.deps, tenantId, id);
    return breach;
  }

  /** When the target was actually met, read from the messages or the conversation (null: not yet). */
  private async metAt(db: Db, row: SlaRow, target: SlaTarget): Promise<number | null> {
    if (target === 'resolution') {
      const c = await db.selectFrom('conversations').select(['status', 'resolved_at']).where('tenant_id', '=', row.tenant_id).where('id', '=', row.conversation_id).executeTakeFirst();
      return c?.status === 'resolved' && c.resolved_at !== null ? Number(c.resolved_at) : row.resolved_at !== null ? Number(row.resolved_at) : null;
    }
    let q = db
      .selectFrom('messages')
      .select((e) => e.fn.min('created_at').as('at'))
      .where('tenant_id', '=', row.tenant_id)
      .where('conversation_id', '=', row.conversation_id)
      .where('author_kind', '=', 'agent')
      .where('internal', '=', 0);
    if (target === 'next_response') q = q.where('created_at', '>', Number(row.next_response_started_at));
    const r = await q.executeTakeFirst();
    return r?.at === null || r?.at === undefined ? null : Number(r.at);
  }

  private async recordMet(db: Db, row: SlaRow, target: SlaTarget, metAt: number, due: number): Promise<void> {
    const base = db.updateTable('conversation_sla').where('conversation_id', '=', row.conversation_id).where('tenant_id', '=', row.tenant_id);
    if (target === 'first_response') await base.set({ first_response_at: metAt }).where('first_response_at', 'is', null).execute();
    else if (target === 'resolution') await base.set({ resolved_at: metAt, closed_at: metAt }).where('resolved_at', 'is', null).execute();
    else
      await base
        .set((eb) => ({ next_met: eb('next_met', '+', 1), next_response_started_at: null, next_response_due_at: null, next_response_breached_at: null }))
        .where('next_response_due_at', '=', due)
        .where('next_response_breached_at', 'is', null)
        .execute();
  }
}
