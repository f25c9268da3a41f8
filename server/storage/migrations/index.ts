import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001_init.js';
import * as m0002 from './0002_audit_incidents_webhooks.js';
import * as m0003 from './0003_csp_reports.js';
import * as m0004 from './0004_encryption_at_rest.js';
import * as m0010 from './0010_admin_api.js';
import * as m0020 from './0020_contact_centre.js';
import * as m0021 from './0021_attachment_messages.js';
import * as m0030 from './0030_sealed_contact_data.js';
import * as m0040 from './0040_message_path_indexes.js';
import * as m0050 from './0050_keys_move_to_keystore.js';
import * as m0120 from './0120_sso.js';
import * as m0130 from './0130_contacts.js';
import * as m0140 from './0140_agent_productivity.js';
import * as m0150 from './0150_sla.js';
import * as m0180 from './0180_page_context.js';
import * as m0190 from './0190_hot_seq_bumps.js';
import * as m0200 from './0200_proactive_messages.js';
import * as m0210 from './0210_greetings.js';

/** Migrations are listed in code (not read from disk) so the compiled build and tests see the same set. */
export const migrationProvider: MigrationProvider = {
  async getMigrations(): Promise<Record<string, Migration>> {
    return {
      '0001_init': m0001,
      '0002_audit_incidents_webhooks': m0002,
      '0003_csp_reports': m0003,
      '0004_encryption_at_rest': m0004,
      '0010_admin_api': m0010,
      '0020_contact_centre': m0020,
      '0021_attachment_messages': m0021,
      '0030_sealed_contact_data': m0030,
      '0040_message_path_indexes': m0040,
      '0050_keys_move_to_keystore': m0050,
      '0120_sso': m0120,
      '0130_contacts': m0130,
      '0140_agent_productivity': m0140,
      '0150_sla': m0150,
      '0180_page_context': m0180,
      '0190_hot_seq_bumps': m0190,
      '0200_proactive_messages': m0200,
      '0210_greetings': m0210,
    };
  },
};
