/**
 * Tables of service levels (migration 0150), merged into the Database interface of schema.ts by
 * declaration merging so that shared file is not widened.
 */
export interface SlaPolicyTable {
  id: string;
  tenant_id: string;
  team_id: string;
  name: string;
  first_response_minutes: number | null;
  next_response_minutes: number | null;
  resolution_minutes: number | null;
  business_hours: number;
  created_at: number;
  updated_at: number;
}

export interface ConversationSlaTable {
  conversation_id: string;
  tenant_id: string;
  policy_id: string;
  started_at: number;
  first_response_due_at: number | null;
  first_response_at: number | null;
  first_response_breached_at: number | null;
  next_response_started_at: number | null;
  next_response_due_at: number | null;
  next_response_breached_at: number | null;
  next_met: number;
  next_breached: number;
  resolution_due_at: number | null;
  resolved_at: number | null;
  resolution_breached_at: number | null;
  closed_at: number | null;
  created_at: number;
}

declare module './schema.js' {
  interface Database {
    sla_policies: SlaPolicyTable;
    conversation_sla: ConversationSlaTable;
  }
}
