/**
 * Tables of proactive messages (migration 0200), merged into the Database interface of schema.ts by
 * declaration merging so that shared file is not widened.
 */
export interface ProactiveRuleTable {
  id: string;
  tenant_id: string;
  name: string;
  message: string;
  page: string | null;
  min_seconds: number;
  attribute: string | null;
  value: string | null;
  verified_only: number;
  audience: 'everyone' | 'identified' | 'anonymous';
  cooldown_hours: number;
  enabled: number;
  created_at: number;
  updated_at: number;
}

export interface ProactiveDeliveryTable {
  id: string;
  tenant_id: string;
  rule_id: string;
  visitor_key: string;
  visitor_id: string | null;
  shown_at: number;
  opened_at: number | null;
  replied_at: number | null;
}

declare module './schema.js' {
  interface Database {
    proactive_rules: ProactiveRuleTable;
    proactive_deliveries: ProactiveDeliveryTable;
  }
}
