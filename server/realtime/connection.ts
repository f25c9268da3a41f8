/**
 * What every realtime socket shares, visitor or agent: hello deadline, heartbeat, frame rate limit,
 * bounded outgoing buffer, protocol-error budget, and turning errors into error frames. A bad frame
 * never throws out of here: it gets an error frame, and repeated abuse closes the socket.
 */
import type { WebSocket } from 'ws';
import type { FastifyBaseLogger as Logger } from 'fastify';
import { CLOSE } from '../../protocol/closeCodes.js';
import { LIMITS } from '../../protocol/limits.js';
import { AppError, toAppError } from '../errors.js';
import { countRefusal, type Metrics } from '../metrics.js';
import { clientIdOf, type FrameReader } from './frameReader.js';
import type { ErrorFrame } from '../../protocol/realtime.js';
import { newId } from '../security/ids.js';

const MAX_PROTOCOL_ERRORS = 20;
const ignore = () => {};
/**
 * Frames held behind their conversations' first audit entries, per socket. Not the socket's own
 * buffer bound (LIMITS.maxBufferedBytes, 1 MB): a burst of new conversations waits a few grouped audit
 * commits, and at full load an agent socket receives ~2–3 MB of frames a second. With 1 MB the bench's
 * burst of 600 new conversations on two PostgreSQL nodes closed the agent socket (467 conversations
 * held, 2026-12-07). 16 MB is several seconds of that traffic: what is held is still bounded, and an
 * audit that stays behind longer still closes the socket (1011), failing closed.
 */
const MAX_HELD_BYTES = 16 * LIMITS.maxBufferedBytes;

export abstract class Connection<In extends { type: string }, Out extends { type: string } | ErrorFrame | { type: 'pong' }> {
  /** This socket, node-wide unique: agent presence rows and a message's `fromSocket` name it. */
  readonly socketId = newId('sock');
  protected helloDone = false;
  private alive = true;
  private protocolErrors = 0;
  private tokens: number = LIMITS.framesPerSecond;
  private lastRefill = Date.now();
  private helloTimer: NodeJS.Timeout;
  /** Frames are handled one at a time, so one client's messages are committed in the order sent. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    protected readonly ws: WebSocket,
    private readonly reader: FrameReader<In>,
    protected readonly log: Logger,
    /** Where refusals are counted (rate limits, storage errors). */
    private readonly metrics: Metrics,
  ) {
    this.helloTimer = setTimeout(() => this.close(CLOSE.HELLO_TIMEOUT, 'hello expected'), LIMITS.helloTimeoutMs);
    ws.on('message', (raw) => this.onRaw(raw));
    ws.on('pong', () => (this.alive = true));
    ws.on('close', () => {
      clearTimeout(this.helloTimer);
      this.onClose();
    });
    ws.on('error', (err) => log.debug({ err: err.message }, 'socket error'));
  }

  /** Called by the gateway's heartbeat sweep. */
  heartbeat(): void {
    if (!this.alive) {
      this.close(CLOSE.HEARTBEAT_TIMEOUT, 'heartbeat timeout');
      return;
    }
    this.alive = false;
    if (this.ws.readyState === this.ws.OPEN) this.ws.ping();
  }

  /**
   * Frames waiting for their conversation's first access-audit entry on this socket, per
   * conversation, in the order they were sent (sendAudited). null — the common case — when none
   * waits. A conversation's later frames wait behind its first; other conversations' frames, and
   * frames carrying no conversation's data, are not held up by it.
   */
  private held: Map<string, string[]> | null = null;
  private heldBytes = 0;

  /**
   * Sends a frame carrying `conversationId`'s data once `entry` (its access-audit entry for this
   * socket; null when it is durable already or none is needed) is written, and after the frames of
   * that conversation still waiting. The data is never on the wire before its entry is durable; if
   * the entry cannot be written, the conversation's frames are dropped and the socket is closed with
   * 1011: the client reconnects and resumes by seq, so nothing is lost, and nothing was read
   * unrecorded (docs/SECURITY.md, *Access audit*). The common case (entry null, nothing waiting) is
   * one comparison more than sendRaw: no promise, no allocation.
   */
  protected sendAudited(json: string, conversationId: string, entry: Promise<void> | null): void {
    if (this.held === null) {
      if (entry === null) return this.sendRaw(json);
    } else {
      const waiting = this.held.get(conversationId);
      if (waiting !== undefined) {
        entry?.catch(ignore); // the conversation's first held frame handles its failure
        return this.hold(waiting, json);
      }
      if (entry === null) return this.sendRaw(json);
    }
    // The conversation's first frame not yet recorded: it and the conversation's next ones wait for the entry.
    // (A failure is handled here; none surfaces as an unhandled rejection.)
    if (this.ws.readyState !== this.ws.OPEN) return void entry.catch(ignore);
    const frames: string[] = [];
    (this.held ??= new Map()).set(conversationId, frames);
    this.hold(frames, json);
    entry.then(
      () => this.release(conversationId, frames),
      (err: Error) => {
        if (this.held?.get(conversationId) === frames) this.dropHeld(`live delivery audit failed: ${err.message}`, 'audit unavailable; reconnect');
      },
    );
  }

  private hold(frames: string[], json: string): void {
    frames.push(json);
    this.heldBytes += json.length;
    // Bounded like the socket's own buffer: an audit that does not keep up must not grow memory.
    if (this.heldBytes > MAX_HELD_BYTES) this.dropHeld('frames held too long for their audit entry', 'audit not keeping up; reconnect');
  }

  /** The conversation's entry is written: its frames leave, in order. */
  private release(conversationId: string, frames: string[]): void {
    if (this.held?.get(conversationId) !== frames) return; // dropped meanwhile (socket closed)
    this.held.delete(conversationId);
    if (this.held.size === 0) this.held = null;
    for (const json of frames) this.released += json.length;
    this.releasing = true;
    for (const json of frames) {
      this.heldBytes -= json.length;
      this.sendRaw(json);
    }
    this.releasing = false;
  }

  /**
   * Bytes of held frames let go since the socket's buffer was last within its bound. One audit commit
   * releases many conversations at once, and their frames land in the buffer together: that burst
   * (already bounded by MAX_HELD_BYTES) is not a slow consumer, so it does not count against the
   * hard bound (LIMITS.maxBufferedBurstBytes) until the buffer has drained below LIMITS.maxBufferedBytes
   * once; the grace period (LIMITS.slowConsumerGraceMs) still applies to it. Without this the bench's agent socket was
   * closed 4009 when its 600 new conversations were released (bufferedBytes 1,048,942), and again
   * a few ms later when the allowance lasted one tick only (1,337,672).
   */
  private released = 0;
  private releasing = false;
  /** When the buffer last went over LIMITS.maxBufferedBytes (0: it is within it). */
  private overSince = 0;

  private dropHeld(why: string, reason: string): void {
    this.log.error({ conversations: this.held?.size ?? 0 }, `${why}: frames not sent, socket closed`);
    this.held = null;
    this.heldBytes = 0;
    this.close(CLOSE.INTERNAL, reason);
  }

  /**
   * Sends an already serialised frame at once: one carrying no conversation's data (typing,
   * receipts, the sender's own ack…), or one whose entry is durable. A consumer too slow to drain
   * its buffer is disconnected.
   */
  sendRaw(json: string): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    const buffered = this.ws.bufferedAmount;
    const over = buffered > LIMITS.maxBufferedBytes;
    if (!over) {
      if (!this.releasing) this.released = 0;
      this.overSince = 0;
    } else if (this.overSince === 0) this.overSince = Date.now();
    // Over the bound for a moment is a busy client (an agent socket at peak load: the bench's agent was
    // closed at 1,048,581 bytes while reading 4,600 messages/s); for longer, or far over it, a slow one.
    const slow = buffered > LIMITS.maxBufferedBurstBytes + this.released || (over && Date.now() - this.overSince > LIMITS.slowConsumerGraceMs);
    if (slow) {
      // The close frame queues behind what is already buffered, and nothing more is sent
      // (readyState is CLOSING from here): a client that reads, however slowly, gets 4009 and
      // reconnects and resumes. terminate() here cut the TCP connection under the queued close
      // frame, so clients saw 1006 (issue 17). One that does not read at all is cut by ws's close
      // timeout (30 s), still bounded by this buffer.
      this.log.warn({ bufferedBytes: buffered }, 'slow consumer disconnected');
      this.close(CLOSE.SLOW_CONSUMER, 'slow consumer');
      return;
    }
    this.corkUntilTick();
    this.ws.send(json);
  }

  private corked = false;
  /**
   * Frames sent to this socket in one turn of the event loop leave in one write: a group commit
   * acknowledges and delivers a whole batch at once, and an agent socket would otherwise make one
   * writev system call per message. Uncorked on the next tick, after the batch's promise callbacks
   * (which run before it), so nothing waits for a later event. `_socket` is ws's underlying
   * net.Socket (not public API, stable since ws 1); without it frames simply go out one by one.
   */
  private corkUntilTick(): void {
    if (this.corked) return;
    const socket = (this.ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    if (!socket) return;
    this.corked = true;
    socket.cork();
    process.nextTick(() => {
      this.corked = false;
      socket.uncork();
    });
  }

  send(frame: Out | ErrorFrame | { type: 'pong' }): void {
    this.sendRaw(JSON.stringify(frame));
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason);
  }

  protected abstract onHello(frame: In): Promise<void>;
  protected abstract onFrame(frame: In): Promise<void>;
  protected abstract onClose(): void;

  private onRaw(raw: unknown): void {
    if (!this.takeToken()) {
      this.metrics.rateLimited.inc({ channel: 'ws' });
      this.reply(new AppError('rate_limited', `more than ${LIMITS.framesPerSecond} frames per second`), raw);
      if (++this.protocolErrors > MAX_PROTOCOL_ERRORS) this.close(CLOSE.RATE_LIMITED, 'rate limited');
      return;
    }
    let frame: In;
    try {
      frame = this.reader.read(raw);
    } catch (err) {
      this.reject(err, raw);
      return;
    }
    this.queue = this.queue.then(() => this.dispatch(frame));
  }

  private async dispatch(frame: In): Promise<void> {
    if (this.ws.readyState !== this.ws.OPEN) return;
    try {
      if (frame.type === 'ping') {
        this.send({ type: 'pong' });
      } else if (!this.helloDone) {
        if (frame.type !== 'hello') throw new AppError('unauthorized', 'first frame must be hello');
        clearTimeout(this.helloTimer);
        await this.onHello(frame);
        this.helloDone = true;
      } else if (frame.type === 'hello') {
        throw new AppError('bad_request', 'hello already received');
      } else {
        await this.onFrame(frame);
      }
    } catch (err) {
      this.reject(err, frame);
    }
  }

  /**
   * Runs `work` for `frame`, but lets this socket's next frame start as soon as `work` calls
   * `queued`: its message's place is fixed (commands/messageCreator.ts), so later messages cannot
   * overtake it, and need not wait for its commit. An error after that is still this frame's error.
   */
  protected untilQueued(frame: In, work: (queued: () => void) => Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => {
      let released = false;
      const release = () => {
        released = true;
        resolve();
      };
      work(release).then(release, (err: unknown) => {
        if (released) this.reject(err, frame);
        else reject(err);
      });
    });
  }

  /** The one way a frame is answered with an error: a send's error always names its clientId. */
  private reply(error: AppError, frame: unknown): void {
    const clientId = clientIdOf(frame);
    this.send({ type: 'error', code: error.code, message: error.message, ...(clientId === undefined ? {} : { clientId }) });
  }

  private reject(err: unknown, frame: unknown): void {
    const { error, unexpected } = toAppError(err);
    if (unexpected) this.log.error({ err }, 'realtime frame failed');
    countRefusal(this.metrics, error, 'ws');
    this.reply(error, frame);
    if (error.code === 'unauthorized' && !this.helloDone) this.close(CLOSE.UNAUTHORIZED, error.message.slice(0, 100));
    else if (error.code === 'forbidden' && !this.helloDone) this.close(CLOSE.FORBIDDEN, error.message.slice(0, 100));
    else if (error.code === 'rate_limited' && !this.helloDone) this.close(CLOSE.RATE_LIMITED, error.message.slice(0, 100));
    // Storage down during hello: the client reconnects (with backoff) and says hello again.
    else if ((error.code === 'unavailable' || error.code === 'storage_full') && !this.helloDone) this.close(CLOSE.INTERNAL, 'storage unavailable; reconnect');
    else if ((error.code === 'bad_request' || error.code === 'validation_failed') && ++this.protocolErrors > MAX_PROTOCOL_ERRORS) {
      this.close(CLOSE.PROTOCOL_ERROR, 'too many invalid frames');
    }
  }

  private takeToken(): boolean {
    const now = Date.now();
    this.tokens = Math.min(LIMITS.framesPerSecond, this.tokens + ((now - this.lastRefill) / 1000) * LIMITS.framesPerSecond);
    this.lastRefill = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
