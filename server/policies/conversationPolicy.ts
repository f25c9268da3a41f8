import { AppError } from '../errors.js';
import type { Agent } from '../storage/schema.js';

/** Agents may take or release a conversation for themselves; supervisors and admins may assign anyone. */
export function assertMayAssign(agent: Agent, targetAgentId: string | null, currentAssigneeId: string | null): void {
  if (agent.role === 'admin' || agent.role === 'supervisor') return;
  const self = targetAgentId === agent.id || (targetAgentId === null && currentAssigneeId === agent.id);
  if (!self) throw new AppError('forbidden', 'Only supervisors and admins can assign conversations to others');
}
