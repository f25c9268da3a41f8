/**
 * Tables and columns of agent productivity (migration 0140), merged into the Database interface of
 * schema.ts by declaration merging so that shared file is not widened.
 */
import type { Selectable } from 'kysely';

export interface LabelTable {
  id: string;
  tenant_id: string;
  name: string;
  name_key: string;
  color: string;
  created_at: number;
}

export interface ConversationLabelTable {
  conversation_id: string;
  label_id: string;
  tenant_id: string;
  created_at: number;
}

export interface MacroTable {
  id: string;
  tenant_id: string;
  name: string;
  /** JSON array of MacroAction (protocol/productivity.ts). */
  actions: string;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

export interface MentionTable {
  id: string;
  tenant_id: string;
  conversation_id: string;
  message_id: string;
  agent_id: string;
  by_agent_id: string;
  by_name: string;
  created_at: number;
  read_at: number | null;
}

declare module './schema.js' {
  interface Database {
    labels: LabelTable;
    conversation_labels: ConversationLabelTable;
    macros: MacroTable;
    mentions: MentionTable;
  }
  interface ConversationTable {
    /** 0 low, 1 normal, 2 high, 3 urgent (migration 0140). */
    priority?: number;
    /** 1 while snoozed; snoozed_until null: until the visitor's next message. */
    snoozed?: number;
    snoozed_until?: number | null;
  }
}

export type Label = Selectable<LabelTable>;
export type Macro = Selectable<MacroTable>;
export type Mention = Selectable<MentionTable>;
