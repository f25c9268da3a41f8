import type { Command } from '../command.js';
import { withServices } from '../withServices.js';
import { appendAudit } from '../../security/auditLog.js';

export const keysRewrap: Command = {
  name: 'keys:rewrap',
  summary: 'Master-key rotation: re-wrap every tenant key under MASTER_KEY',
  help: `Usage: parley keys:rewrap

Master-key rotation without downtime:
  1. give every node MASTER_KEY=<new> and MASTER_KEY_PREVIOUS=<old> (rolling restart); nodes
     unwrap keys wrapped by either and wrap new keys with the new one
  2. run parley keys:rewrap (with the same two variables): every tenant key still wrapped by the
     old master key is re-wrapped by the new one; data is not re-encrypted
  3. remove MASTER_KEY_PREVIOUS everywhere and destroy the old master key. From then on, key-store
     backups taken before step 2 cannot be opened any more: their wrapped keys need the old master key.

Prints how many keys were re-wrapped.`,
  async run() {
    const result = await withServices(async (s) => {
      const r = await s.keyring.rewrapAll();
      await appendAudit(s.storage.db, { kind: 'system', id: null, credential: 'cli:keys:rewrap', address: null }, [
        { tenantId: null, action: 'master_key.rewrap', details: { ...r, masterKeyId: s.keyring.currentMasterId } },
      ]);
      return { ...r, masterKeyId: s.keyring.currentMasterId };
    });
    console.log(JSON.stringify(result));
    return 0;
  },
};
