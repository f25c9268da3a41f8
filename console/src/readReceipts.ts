/** Read receipts: the open conversation's messages are seen while this tab is visible. */
import { useEffect, useRef } from 'preact/hooks';
import type { AgentServerFrame } from '../../protocol/realtime.js';
import type { ReconnectingSocket } from '../../clients/js/src/reconnectingSocket.js';
import { maxSeq, type State } from './state.js';

export function useReadReceipts(state: State, stateRef: { current: State }, socketRef: { current: ReconnectingSocket<AgentServerFrame> | null }): void {
  const openThreadSeq = state.openId && state.threads[state.openId] ? maxSeq(state.threads[state.openId]!.messages) : 0;
  const readSent = useRef<Record<string, number>>({});
  useEffect(() => {
    const send = () => {
      const id = stateRef.current.openId;
      if (!id || document.visibilityState === 'hidden') return;
      const seq = Math.max(openThreadSeq, stateRef.current.conversations[id]?.lastSeq ?? 0);
      if (seq > (readSent.current[id] ?? 0) && socketRef.current) {
        readSent.current[id] = seq;
        socketRef.current.notify({ type: 'receipt', conversationId: id, readSeq: seq });
      }
    };
    send();
    document.addEventListener('visibilitychange', send);
    return () => document.removeEventListener('visibilitychange', send);
  }, [state.openId, openThreadSeq, state.conn]);
}
