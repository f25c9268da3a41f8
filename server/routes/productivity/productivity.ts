/**
 * Agent productivity over REST (issue 20): labels (tenant-defined; applied to conversations; the
 * inbox filters by them, GET /api/conversations?label=), priority, snooze, macros, @mentions and bulk
 * actions. Session or API key; every id is looked up inside the caller's tenant (another tenant's is
 * "not found"); every answer carrying conversations is recorded in the access audit.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { ConversationView } from '../../../protocol/records.js';
import { IdParams } from '../../../protocol/http.js';
import {
  BulkBody,
  BulkResult,
  LabelBody,
  LabelParams,
  LabelReport,
  LabelView,
  MacroApplyBody,
  MacroApplyParams,
  MacroApplyResult,
  MacroBody,
  MacroView,
  MentionList,
  MentionListQuery,
  PriorityBody,
  SnoozeBody,
  type BulkBody as BulkBodyT,
  type Priority,
  type SnoozeBody as SnoozeBodyT,
} from '../../../protocol/productivity.js';
import { ReportQuery } from '../../../protocol/admin.js';
import type { Ctx } from '../../context.js';
import { PeriodicJob } from '../../periodicJob.js';
import { deleteLabel, saveLabel } from '../../commands/labelEditor.js';
import { addLabel, removeLabel, setPriority, snoozeConversation, unsnoozeConversation, wakeDueSnoozes } from '../../commands/conversationTagger.js';
import { deleteMacro, presentMacro, saveMacro } from '../../commands/macroEditor.js';
import { applyMacro } from '../../commands/macroApplier.js';
import { bulkApply } from '../../commands/conversationBulk.js';
import { presentMention } from '../../commands/mentionRecorder.js';
import { tenantLabels } from '../../queries/labelQueries.js';
import { labelReport, labelReportCsv } from '../../queries/labelReport.js';
import { resolvePeriod } from '../../queries/reportQueries.js';
import { audited, conversationExposures } from '../../security/accessAudit.js';
import { principalAccessor } from '../auth/requireAuth.js';
import { AppError } from '../../errors.js';
import type { ApiOp } from '../api/apiRoute.js';
import { editableListRoutes } from '../editableListRoutes.js';

const MentionIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/** How often due snoozes are ended (their time has come). */
export const SNOOZE_CHECK_MS = 15_000;

export function productivityRoutes(app: FastifyInstance, ctx: Ctx, op: ApiOp): { snoozeJob: PeriodicJob } {
  const db = ctx.storage.db;
  const who = (req: FastifyRequest) => principalAccessor(req.principal);
  type Id = { id: string };
  const conv = (req: FastifyRequest, action: string, view: ConversationView) => audited(ctx, who(req), action, view, (c) => conversationExposures(req.agent.tenant_id, [c]));

  // ---- labels ----
  editableListRoutes(app, op, 'labels', '/api/labels', LabelBody, {
    items: (agent) => tenantLabels(db, agent.tenant_id),
    save: (agent, id, body) => saveLabel(ctx, agent, id, body),
    remove: (agent, id) => deleteLabel(ctx, agent, id),
  });
  app.put('/api/conversations/:id/labels/:labelId', op('conversations', 'conversations:write', { summary: 'Put a label on a conversation (idempotent)', params: LabelParams, response: ConversationView }), async (req) => {
    const p = req.params as { id: string; labelId: string };
    return conv(req, 'conversation.label', await addLabel(ctx, req.agent, p.id, p.labelId));
  });
  app.delete('/api/conversations/:id/labels/:labelId', op('conversations', 'conversations:write', { summary: 'Take a label off a conversation (idempotent)', params: LabelParams, response: ConversationView }), async (req) => {
    const p = req.params as { id: string; labelId: string };
    return conv(req, 'conversation.unlabel', await removeLabel(ctx, req.agent, p.id, p.labelId));
  });

  // ---- priority and snooze ----
  app.post('/api/conversations/:id/priority', op('conversations', 'conversations:write', { summary: 'Set the priority (low, normal, high, urgent)', params: IdParams, body: PriorityBody, response: ConversationView }), async (req) =>
    conv(req, 'conversation.priority', await setPriority(ctx, req.agent, (req.params as Id).id, (req.body as { priority: Priority }).priority)),
  );
  app.post(
    '/api/conversations/:id/snooze',
    op('conversations', 'conversations:write', {
      summary: 'Snooze until a time, or until the visitor writes again',
      description: 'The conversation leaves the open lists (it is listed by view=snoozed) and comes back at `until`, or on the visitor\'s next message, whichever is first. Without `until`, only the visitor\'s message brings it back.',
      params: IdParams,
      body: SnoozeBody,
      response: ConversationView,
    }),
    async (req) => {
      const until = (req.body as SnoozeBodyT).until;
      const at = until ? Date.parse(until) : null;
      if (at !== null && Number.isNaN(at)) throw new AppError('validation_failed', 'body/until is not a date-time');
      return conv(req, 'conversation.snooze', await snoozeConversation(ctx, req.agent, (req.params as Id).id, at));
    },
  );
  app.post('/api/conversations/:id/unsnooze', op('conversations', 'conversations:write', { summary: 'End a snooze now', params: IdParams, response: ConversationView }), async (req) =>
    conv(req, 'conversation.unsnooze', await unsnoozeConversation(ctx, req.agent, (req.params as Id).id)),
  );

  // ---- macros ----
  editableListRoutes(app, op, 'macros', '/api/macros', MacroBody, {
    items: async (agent) => (await db.selectFrom('macros').selectAll().where('tenant_id', '=', agent.tenant_id).orderBy('name').execute()).map(presentMacro),
    save: (agent, id, body) => saveMacro(ctx, agent, id, body),
    remove: (agent, id) => deleteMacro(ctx, agent, id),
  });
  app.post(
    '/api/conversations/:id/macros/:macroId',
    op('conversations', 'conversations:write', {
      summary: 'Apply a macro: its reply, labels, priority, assignee and status in one transaction',
      description: 'All or nothing: if any step is refused (a resolved conversation without a reopen step, an assignee the caller may not choose), nothing changes. A retry with the same clientId does not send the reply twice.',
      params: MacroApplyParams,
      body: MacroApplyBody,
      response: MacroApplyResult,
    }),
    async (req) => {
      const p = req.params as { id: string; macroId: string };
      const out = await applyMacro(ctx, req.agent, p.id, p.macroId, (req.body as { clientId: string }).clientId);
      return audited(ctx, who(req), 'conversation.macro', out, (r) => conversationExposures(req.agent.tenant_id, [r.conversation]));
    },
  );

  // ---- mentions ----
  app.get('/api/mentions', op('mentions', 'conversations:read', { summary: 'Where the caller was @mentioned in private notes, newest first', querystring: MentionListQuery, response: MentionList }), async (req) => {
    const q = req.query as { unread?: boolean; limit?: number };
    const base = db.selectFrom('mentions').where('tenant_id', '=', req.agent.tenant_id).where('agent_id', '=', req.agent.id);
    const rows = await base.selectAll().$if(!!q.unread, (x) => x.where('read_at', 'is', null)).orderBy('created_at', 'desc').limit(q.limit ?? 50).execute();
    const unread = Number((await base.select((e) => e.fn.countAll().as('n')).where('read_at', 'is', null).executeTakeFirstOrThrow()).n);
    const convIds = [...new Set(rows.map((r) => r.conversation_id))];
    const visitors = convIds.length ? await db.selectFrom('conversations').select(['id', 'visitor_id']).where('tenant_id', '=', req.agent.tenant_id).where('id', 'in', convIds).execute() : [];
    return audited(ctx, who(req), 'mention.list', { items: rows.map(presentMention), unread }, visitors.map((c) => ({ tenantId: req.agent.tenant_id, resourceType: 'conversation', resourceId: c.id, conversationId: c.id, visitorId: c.visitor_id })));
  });
  app.post('/api/mentions/:id/read', op('mentions', 'conversations:read', { summary: 'Mark one of the caller\'s mentions read', params: MentionIdParams, status: 204 }), async (req, reply) => {
    const res = await db.updateTable('mentions').set({ read_at: Date.now() }).where('id', '=', (req.params as Id).id).where('tenant_id', '=', req.agent.tenant_id).where('agent_id', '=', req.agent.id).executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw new AppError('not_found', 'mention not found');
    return reply.code(204).send();
  });

  // ---- bulk ----
  app.post(
    '/api/conversations/bulk',
    op('conversations', 'conversations:write', {
      summary: 'Assign, label, unlabel, resolve or set the priority of several conversations at once',
      description: 'All or nothing: every id must be a conversation of the caller\'s tenant and every change allowed, or nothing changes.',
      body: BulkBody,
      response: BulkResult,
    }),
    async (req) => {
      const body = req.body as BulkBodyT;
      const items = await bulkApply(ctx, req.agent, body.ids, body.action);
      return audited(ctx, who(req), 'conversation.bulk', { items }, (r) => conversationExposures(req.agent.tenant_id, r.items));
    },
  );

  // ---- reports by label ----
  app.get('/api/reports/labels', op('reports', 'reports:read', { summary: 'Conversations per label in a period (started, resolved, still open)', querystring: ReportQuery, response: LabelReport }), async (req) =>
    labelReport(db, req.principal.tenantId, resolvePeriod(req.query as ReportQuery)),
  );
  app.get(
    '/api/reports/labels.csv',
    op('reports', 'reports:read', { summary: 'Conversations per label as CSV', querystring: ReportQuery, response: Type.String(), mediaType: 'text/csv' }),
    async (req, reply) => {
      const report = await labelReport(db, req.principal.tenantId, resolvePeriod(req.query as ReportQuery));
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="parley-labels-${report.from.slice(0, 10)}-${report.to.slice(0, 10)}.csv"`)
        .send(labelReportCsv(report));
    },
  );

  const snoozeJob = new PeriodicJob('snooze wake-up pass', ctx.log, async () => {
    await wakeDueSnoozes(ctx);
  });
  return { snoozeJob };
}

