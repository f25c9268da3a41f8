import type { Db } from '../storage/db.js';
import type { Agent } from '../storage/schema.js';
import { AppError } from '../errors.js';
import { newId } from '../security/ids.js';
import { hashPassword } from '../security/passwords.js';

export interface NewAgent {
  tenantId: string;
  email: string;
  name: string;
  role: Agent['role'];
  password: string;
}

export async function createAgent(db: Db, input: NewAgent): Promise<Agent> {
  if (input.password.length < 12) throw new AppError('validation_failed', 'password must be at least 12 characters');
  const agent: Agent = {
    id: newId('agt'),
    tenant_id: input.tenantId,
    email: input.email.trim().toLowerCase(),
    name: input.name,
    role: input.role,
    password_hash: await hashPassword(input.password),
    created_at: Date.now(),
    disabled_at: null,
  };
  await db.insertInto('agents').values(agent).execute();
  return agent;
}
