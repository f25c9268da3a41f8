/** A file an agent attaches: a raw upload (the server checks its type by content and its size); the message it makes is returned (and comes over the socket too). */
import type { MessageView } from '../../protocol/records.js';

export async function uploadAttachment(csrfToken: string, conversationId: string, file: File): Promise<MessageView> {
  const res = await fetch(`/api/attachments?conversationId=${encodeURIComponent(conversationId)}&name=${encodeURIComponent(file.name.slice(0, 200))}`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'x-csrf-token': csrfToken },
    body: file,
    credentials: 'same-origin',
  });
  if (!res.ok) throw new Error(String(res.status));
  return (await res.json()) as MessageView;
}
