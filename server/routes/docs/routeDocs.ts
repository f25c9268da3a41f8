/**
 * Answers of routes that declare no response schema of their own (most of them predate the API
 * document), keyed by `METHOD url` as Fastify registered them, plus how the visitor-token routes
 * authenticate. A route with neither its own `response` nor an entry here is published without a
 * success answer, and the contract test (server/testing/contractCheck.ts) fails on its first call.
 */
import type { TSchema } from 'typebox';
import { ConversationList, EmbedSnippet, MessageList, SessionInfo, WidgetConfig, WidgetSession } from '../../../protocol/http.js';
import { AgentView, ConversationView, IncidentView, MessageView } from '../../../protocol/records.js';
import { CspDestinationList, CspProposal, CspReportList } from '../../../protocol/csp.js';
import * as R from '../../../protocol/apiResponses.js';
import { LabelView, MacroView } from '../../../protocol/productivity.js';

export type ResponseDoc = TSchema | { description: string; type?: 'null'; headers?: Record<string, unknown>; content?: Record<string, { schema: unknown }> };
export interface RouteDoc {
  summary?: string;
  description?: string;
  responses?: Record<number, ResponseDoc>;
  /** Routes checking a visitor token in their handler (no preHandler to read it from). */
  security?: 'visitor' | 'visitorOptional' | 'scim' | 'metrics' | 'agentSocket' | 'none';
}

const json = (schema: TSchema, description = 'OK'): ResponseDoc => ({ description, content: { 'application/json': { schema } } });
const media = (description: string, types: string[], schema: unknown = { type: 'string' }): ResponseDoc => ({ description, content: Object.fromEntries(types.map((t) => [t, { schema }])) });
const none = (description: string, headers?: Record<string, unknown>): ResponseDoc => ({ description, type: 'null', ...(headers ? { headers } : {}) });
const binary = { type: 'string', format: 'binary' };
const redirect = none('Redirect', { location: { type: 'string', description: 'Where to go' } });
const html = (description: string) => media(description, ['text/html']);
const upgrade = (who: string): RouteDoc => ({
  summary: `WebSocket for ${who} (upgrade)`,
  description: `Upgrade with the WebSocket handshake; the Origin header must equal PUBLIC_URL. Frames are documented in the AsyncAPI document (/docs/asyncapi.json) and docs/API-CONTRACT.md.`,
  responses: { 101: none('Switching Protocols: the socket is open') },
});

/** SCIM 2.0 (RFC 7644) answers and errors are application/scim+json, errors in SCIM's own shape. */
const ScimResource = { type: 'object', required: ['schemas'], properties: { schemas: { type: 'array', items: { type: 'string' } } } };
const scim = (responses: Record<number, ResponseDoc>): RouteDoc => ({
  security: 'scim',
  responses: { ...responses, ['4XX' as never]: media('SCIM error (RFC 7644 §3.12)', ['application/scim+json'], ScimResource), ['5XX' as never]: media('SCIM error', ['application/scim+json'], ScimResource) },
});
const scimJson = (description: string) => media(description, ['application/scim+json'], ScimResource);

export const ROUTE_DOCS: Record<string, RouteDoc> = {
  'GET /api/auth/sso/:tenant/start': { responses: { 302: redirect, 303: redirect } },
  'GET /api/auth/sso/:tenant/callback': { responses: { 302: redirect, 303: redirect } },
  'GET /scim/v2/Users': scim({ 200: scimJson('ListResponse') }),
  'POST /scim/v2/Users': scim({ 201: scimJson('The created User') }),
  'GET /scim/v2/Users/:id': scim({ 200: scimJson('The User') }),
  'PATCH /scim/v2/Users/:id': scim({ 200: scimJson('The User') }),
  'DELETE /scim/v2/Users/:id': scim({ 204: none('Deleted') }),
  'GET /api/conversations': { summary: 'List conversations (inbox views)', responses: { 200: ConversationList } },
  'GET /api/conversations/search': { summary: 'Search conversations by the words of their messages', responses: { 200: ConversationList } },
  'GET /api/conversations/:id': { summary: 'Get a conversation', responses: { 200: ConversationView } },
  'GET /api/conversations/:id/messages': { summary: 'Messages after a sequence number, notes included', responses: { 200: MessageList } },
  'POST /api/conversations/:id/messages': {
    summary: 'Reply or add a private note',
    description: 'Deduplicated by clientId: a retried send answers 200 with the stored message instead of 201.',
    responses: { 201: json(MessageView, 'Created'), 200: json(MessageView, 'Already stored under this clientId (a retry)') },
  },
  'POST /api/conversations/:id/assign': { summary: 'Assign to an agent or unassign', responses: { 200: ConversationView } },
  'POST /api/conversations/:id/resolve': { summary: 'Resolve', responses: { 200: ConversationView } },
  'POST /api/conversations/:id/reopen': { summary: 'Reopen', responses: { 200: ConversationView } },
  'POST /api/conversations/:id/transfer': { summary: 'Transfer to an agent or a team', responses: { 200: ConversationView } },
  'GET /api/conversations/:id/context': { summary: 'Visitor context: identity, pages seen, other conversations, rating (audited)', responses: { 200: R.VisitorContextView } },
  'POST /api/attachments': { summary: 'Upload a file into a conversation (agent)', responses: { 201: json(MessageView, 'Created') } },

  'POST /api/auth/login': { summary: 'Sign in (sets the session cookie)', responses: { 200: SessionInfo } },
  'GET /api/auth/me': { summary: 'Who the caller is: the agent, the tenant and, for an API key, what it may do now', responses: { 200: SessionInfo } },
  'POST /api/auth/logout': { summary: 'Sign out', responses: { 204: none('Signed out') } },

  'GET /api/tenant/embed': { summary: 'The embed snippet (loader URL pinned by SRI)', responses: { 200: EmbedSnippet } },
  'GET /api/tenant/csp': { summary: 'A Content-Security-Policy for the tenant\'s pages and its report endpoint', responses: { 200: CspProposal } },
  'GET /api/csp/destinations': { summary: 'Script sources and destinations seen in CSP reports', responses: { 200: CspDestinationList } },
  'GET /api/csp/reports': { summary: 'CSP violation reports, newest first', responses: { 200: CspReportList } },
  'POST /api/csp/:reportKey': {
    summary: 'CSP report intake (browsers post here; application/csp-report or application/reports+json)',
    responses: { 204: none('Received') },
  },
  'OPTIONS /api/csp/:reportKey': { summary: 'CORS preflight of the CSP report intake', responses: { 204: none('Allowed') } },
  'GET /api/incidents': { summary: 'Security incidents of the tenant and the platform', responses: { 200: R.ItemList(IncidentView) } },

  'GET /api/admin/exposure': {
    summary: 'Exposure report: which visitors and conversations an actor, credential, address or time window read',
    responses: { 200: { description: 'The report (format=json) or its CSV (format=csv)', content: { 'application/json': { schema: R.ExposureReport }, 'text/csv': { schema: { type: 'string' } } } } },
  },
  'GET /api/visitors/:id/export': { summary: 'GDPR access request: everything stored about a visitor', responses: { 200: R.VisitorExport } },
  'DELETE /api/visitors/:id': { summary: 'GDPR erasure of a visitor and their conversations', responses: { 204: none('Erased') } },
  'GET /api/admin/privacy': { summary: 'Retention and extra redaction patterns', responses: { 200: R.PrivacySettingsView } },
  'PUT /api/admin/privacy': { summary: 'Change retention or redaction patterns', responses: { 200: R.PrivacySettingsView } },

  'GET /api/presence': { summary: 'Every agent with presence and load', responses: { 200: R.ItemList(R.AgentPresenceView) } },
  'POST /api/presence': { summary: 'The signed-in agent sets their own status or capacity', responses: { 200: R.AgentPresenceView } },
  'PUT /api/presence/:id': { summary: 'Set another agent\'s capacity (admins)', responses: { 200: R.AgentPresenceView } },
  'GET /api/contact-settings': { summary: 'Bot and identity-verification settings', responses: { 200: R.ContactSettingsView } },
  'POST /api/contact-settings': { summary: 'Change bot or rotate the identity secret (shown once)', responses: { 200: R.ContactSettingsView } },
  'GET /api/teams': { responses: { 200: R.ItemList(R.TeamView) } },
  'POST /api/teams': { responses: { 201: json(R.TeamView, 'Created') } },
  'PUT /api/teams/:id': { responses: { 200: R.TeamView } },
  'GET /api/canned-responses': { responses: { 200: R.ItemList(R.CannedResponseView) } },
  'POST /api/canned-responses': { responses: { 201: json(R.CannedResponseView, 'Created') } },
  'PUT /api/canned-responses/:id': { responses: { 200: R.CannedResponseView } },
  // Agent productivity (issue 20): the tenant's labels and macros.
  'GET /api/labels': { responses: { 200: R.ItemList(LabelView) } },
  'POST /api/labels': { responses: { 201: json(LabelView, 'Created') } },
  'PUT /api/labels/:id': { responses: { 200: LabelView } },
  'GET /api/macros': { responses: { 200: R.ItemList(MacroView) } },
  'POST /api/macros': { responses: { 201: json(MacroView, 'Created') } },
  'PUT /api/macros/:id': { responses: { 200: MacroView } },
  'GET /api/kb/articles': { responses: { 200: R.ItemList(R.ArticleView) } },
  'POST /api/kb/articles': { responses: { 201: json(R.ArticleView, 'Created') } },
  'PUT /api/kb/articles/:id': { responses: { 200: R.ArticleView } },

  'GET /api/widget/config': { summary: 'Widget settings for a widget key', responses: { 200: WidgetConfig } },
  'POST /api/widget/session': { summary: 'Start or resume a visitor session (the token goes in the WebSocket hello)', responses: { 200: WidgetSession } },
  'GET /api/widget/availability': { summary: 'Live chat or "leave a message"', responses: { 200: R.WidgetAvailability } },
  'POST /api/widget/offline-message': { summary: 'Leave a message outside hours', security: 'visitorOptional', responses: { 201: json(R.OfflineMessageTaken, 'Taken') } },
  'POST /api/widget/context': {
    summary: "The tenant's page context changed: page name and attributes (plain: unverified), signed = HS256 JWT from the tenant's backend (verified)",
    security: 'visitor',
    responses: { 204: none('Recorded') },
  },
  'POST /api/widget/rating': { summary: 'Rate a conversation', security: 'visitor', responses: { 200: R.RatingSaved } },
  'POST /api/widget/transcript': { summary: 'Email the transcript', security: 'visitor', responses: { 200: R.TranscriptSent } },
  'POST /api/widget/attachments': { summary: 'Upload a file (visitor)', security: 'visitor', responses: { 201: json(MessageView, 'Created') } },
  // Proactive messages (issue 20): the frame sends its visitor token when it has one.
  'POST /api/widget/proactive': { security: 'visitorOptional' },
  'POST /api/widget/proactive/events': { security: 'visitorOptional' },
  'POST /api/invitations/accept': { responses: { 201: json(AgentView, 'Created') } },

  // Issue 16: transparency logs (c2sp.org tlog formats) and the PCI DSS evidence pack.
  'GET /tlog/releases/checkpoint': { summary: 'Signed checkpoint of the release log (c2sp.org/tlog-checkpoint, with witness cosignatures)', responses: { 200: media('Checkpoint note', ['text/plain']) } },
  'GET /tlog/releases/current.tlog-proof': { summary: 'c2sp.org/tlog-proof of the release this node serves', responses: { 200: media('Proof', ['text/plain']) } },
  'GET /tlog/releases/loader': { summary: 'Where this release\'s loader is served', responses: { 200: media('Path of the loader', ['text/plain']) } },
  'GET /tlog/releases/tile/*': { summary: 'c2sp.org/tlog-tiles hash tiles and entry bundles (immutable)', responses: { 200: media('Tile', ['application/octet-stream'], binary) } },
  'GET /tlog/audit/checkpoint': { summary: 'Latest signed checkpoint of the access audit log', responses: { 200: media('Checkpoint note', ['text/plain']) } },
  'GET /api/admin/evidence': { responses: { 200: media('The evidence pack (shape: server/security/evidencePack.ts EvidencePack)', ['application/json'], { type: 'object' }) } },
  'GET /healthz': { summary: 'Readiness: 200 when the node can serve, 503 with the reason when not', responses: { 200: R.HealthStatus, 503: json(R.HealthStatus, 'Not ready') } },
  'GET /metrics': { summary: 'Prometheus metrics', security: 'metrics', responses: { 200: media('Prometheus text exposition format', ['text/plain']) } },
  'GET /docs': { summary: 'This API reference as a page (no scripts)', responses: { 200: html('The page') } },
  'GET /docs/openapi.json': { summary: 'This OpenAPI document', responses: { 200: media('OpenAPI 3.1', ['application/json'], { type: 'object' }) } },
  'GET /docs/asyncapi.json': { summary: 'The AsyncAPI 3.0 document of the WebSockets', responses: { 200: media('AsyncAPI 3.0', ['application/json'], { type: 'object' }) } },
  'GET /docs/docs.css': { summary: 'Stylesheet of the reference page', responses: { 200: media('CSS', ['text/css']) } },
  'GET /.well-known/parley-releases.json': { summary: 'The signed, hash-chained release log of this build', responses: { 200: media('Release log', ['application/json'], { type: 'object' }) } },
  'GET /': { summary: 'Home: redirects to the console', responses: { 302: redirect } },
  'GET /console': { summary: 'Redirects to /console/', responses: { 302: redirect } },
  'GET /console/*': { summary: 'The agent console (single-page app)', responses: { 200: html('The console') } },
  'GET /console/assets/*': { summary: 'Console build assets (immutable)', responses: { 200: media('A signed build file', ['*/*'], binary) } },
  'GET /widget/frame/': { summary: 'The widget frame page (framed by the loader on allowed origins)', responses: { 200: html('The frame') } },
  'GET /widget/frame/assets/*': { summary: 'Widget frame build assets (immutable)', responses: { 200: media('A signed build file', ['*/*'], binary) } },
  'GET /widget/v/:version/loader.js': { summary: 'The loader script, pinned by SRI in the embed snippet', responses: { 200: media('The loader', ['text/javascript', 'application/javascript']) } },
  'GET /files/:id/:key': { summary: 'An attachment (the key in the URL is the credential)', responses: { 200: media('The file', ['*/*'], binary) } },
  'GET /ws/visitor': upgrade('visitors (widget)'),
  'GET /ws/agent': { ...upgrade('agents (console session cookie)'), security: 'agentSocket' },
};
