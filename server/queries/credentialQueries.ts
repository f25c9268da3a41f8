/**
 * Which of the credentials that opened agent sockets still stand: a session that exists, has not
 * expired and whose agent is not disabled; an API key not revoked whose agent is not disabled. The
 * same conditions as at the upgrade (commands/agentSessions.ts resolve, routes/auth/requireAuth.ts
 * principalFromApiKey), asked for many sockets at once (realtime/credentialRecheck.ts).
 */
import type { Db } from '../storage/db.js';

/** Ids per statement: well under both databases' limits on bound parameters. */
const CHUNK = 500;

async function inChunks(ids: readonly string[], query: (chunk: string[]) => Promise<Array<{ id: string }>>): Promise<Set<string>> {
  const live = new Set<string>();
  for (let i = 0; i < ids.length; i += CHUNK) for (const row of await query(ids.slice(i, i + CHUNK))) live.add(row.id);
  return live;
}

export async function liveSessions(db: Db, sessionIds: readonly string[], now = Date.now()): Promise<Set<string>> {
  return inChunks(sessionIds, (chunk) =>
    db
      .selectFrom('sessions')
      .innerJoin('agents', (j) => j.onRef('agents.id', '=', 'sessions.agent_id').onRef('agents.tenant_id', '=', 'sessions.tenant_id'))
      .select('sessions.id as id')
      .where('sessions.id', 'in', chunk)
      .where('sessions.expires_at', '>', now)
      .where('agents.disabled_at', 'is', null)
      .execute(),
  );
}

export async function liveApiKeys(db: Db, keyIds: readonly string[]): Promise<Set<string>> {
  return inChunks(keyIds, (chunk) =>
    db
      .selectFrom('api_keys')
      .innerJoin('agents', (j) => j.onRef('agents.id', '=', 'api_keys.agent_id').onRef('agents.tenant_id', '=', 'api_keys.tenant_id'))
      .select('api_keys.id as id')
      .where('api_keys.id', 'in', chunk)
      .where('api_keys.revoked_at', 'is', null)
      .where('agents.disabled_at', 'is', null)
      .execute(),
  );
}
