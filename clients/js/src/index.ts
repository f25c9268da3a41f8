/** Parley reference client: typed REST from the OpenAPI document, and the realtime socket. */
export { ParleyRestClient, ParleyApiError, type RestClientOptions, type SuccessBody, type Method } from './rest.js';
export { ParleySocket, SendFailedError, type SocketOptions, type MessageView, type ConversationView, type ServerFrame } from './socket.js';
export { ReconnectingSocket, FINAL_SEND_ERRORS, FINAL_CLOSE_CODES, MAX_FRAME_BYTES, HEARTBEAT_MS, newClientId, type ReconnectingSocketOptions, type SocketState, type WebSocketLike } from './reconnectingSocket.js';
export type { paths, components, operations } from './schema.js';
