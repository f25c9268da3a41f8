/**
 * Where attachment files live on disk (DATA_DIR/attachments/<tenant>/<id>, outside anything served
 * as static files), and their deletion. Storage, not a use case: both the attachment command and the
 * data lifecycle (retention, erasure, tenant deletion) use it.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../errors.js';

export function attachmentPath(dataDir: string, tenantId: string, id: string): string {
  if (!/^[A-Za-z0-9_]+$/.test(tenantId) || !/^[A-Za-z0-9_]+$/.test(id)) throw new AppError('not_found', 'attachment not found');
  return join(dataDir, 'attachments', tenantId, id);
}

/** Deletes attachment files (after their rows); a file already gone is fine. */
export async function removeAttachmentFiles(dataDir: string, tenantId: string, ids: readonly string[]): Promise<void> {
  for (const id of ids) await rm(attachmentPath(dataDir, tenantId, id), { force: true });
}

/** Deletes a tenant's whole attachment directory (tenant deletion). */
export async function removeTenantAttachments(dataDir: string, tenantId: string): Promise<void> {
  if (!/^[A-Za-z0-9_]+$/.test(tenantId)) return;
  await rm(join(dataDir, 'attachments', tenantId), { recursive: true, force: true });
}
