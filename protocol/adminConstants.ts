/** Value constants of the admin API, importable by browser apps without pulling in typebox. */
export const API_SCOPES = ['conversations:read', 'conversations:write', 'visitors:read', 'agents:read', 'reports:read', 'content:read', 'content:write', 'contacts:read', 'contacts:write', 'admin'] as const;
export type ApiScope = (typeof API_SCOPES)[number];
export const WEBHOOK_EVENTS = ['conversation.created', 'conversation.updated', 'message.created', 'security.incident', 'security.exposure_report', 'audit.checkpoint', 'sla.breached'] as const;
export const PRECHAT_FIELDS = ['name', 'email', 'phone', 'orderNumber'] as const;
export const WIDGET_LANGUAGES = ['auto', 'en', 'fr'] as const;
