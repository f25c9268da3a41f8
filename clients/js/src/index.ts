/** Parley reference client: typed REST from the OpenAPI document, and the realtime socket. */
export { ParleyRestClient, ParleyApiError, type RestClientOptions, type SuccessBody, type Method } from './rest.js';
export { ParleySocket, SendFailedError, newClientId, FINAL_CLOSE_CODES, type SocketOptions, type WebSocketLike, type MessageView, type ConversationView } from './socket.js';
export type { paths, components, operations } from './schema.js';
