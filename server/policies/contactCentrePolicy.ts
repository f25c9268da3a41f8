/** Who may do what in the contact centre (beyond "same tenant", which stays in tenantScope.ts). */
import { AppError } from '../errors.js';
import type { Agent } from '../storage/schema.js';

export const isSupervisor = (agent: Agent) => agent.role === 'admin' || agent.role === 'supervisor';

/** Teams, the knowledge base, identity secrets and bot settings: admins. */
export function assertAdmin(agent: Agent, what: string): void {
  if (agent.role !== 'admin') throw new AppError('forbidden', `Only admins can ${what}`);
}

/** Canned responses are shared by the tenant: supervisors and admins curate them. */
export function assertMayEditCanned(agent: Agent): void {
  if (!isSupervisor(agent)) throw new AppError('forbidden', 'Only supervisors and admins can edit canned responses');
}

/** The assignee may hand their conversation on; supervisors and admins may move any conversation. */
export function assertMayTransfer(agent: Agent, currentAssigneeId: string | null): void {
  if (isSupervisor(agent)) return;
  if (currentAssigneeId !== null && currentAssigneeId !== agent.id) {
    throw new AppError('forbidden', 'Only the assigned agent, supervisors and admins can transfer this conversation');
  }
}
