import type { WebSocket } from 'ws';
import { matchesEventFilter, type EventFilter, type TabAgent, type TabAgentEvent } from 'tabagent';

/** Close code sent to a client that reads too slowly ("try again later"). */
export const SLOW_CONSUMER_CLOSE_CODE = 1013;
/** Close code sent when the server shuts down ("going away"). */
export const SHUTDOWN_CLOSE_CODE = 1001;

export interface EventHubOptions {
  /** A client with more bytes than this queued is dropped. */
  maxBufferedBytes: number;
  /** How long a client dropped for reading too slowly gets to read the close frame before its socket is cut, in ms (default 5 s). */
  dropGraceMs?: number;
  /** How long clients get to finish the close handshake when the server shuts down, in ms (default 1 s). */
  closeGraceMs?: number;
}

/** One connected client and what it subscribed to. */
class EventClient {
  filter: EventFilter | undefined;
  alive = true;
  constructor(readonly socket: WebSocket) {}
}

/**
 * Fans the database's events out to WebSocket clients. There is one database
 * subscription however many clients there are (taken with the first subscriber), each
 * event is serialised once, and sending never waits: a client whose unsent bytes pass
 * `maxBufferedBytes` is dropped with close code 1013, so a slow reader can never hold
 * up a commit or use unbounded memory.
 */
export class EventHub {
  readonly #db: TabAgent;
  readonly #options: Required<EventHubOptions>;
  readonly #clients = new Map<WebSocket, EventClient>();
  /** Dropped clients whose close handshake is still pending. */
  readonly #dropping = new Set<WebSocket>();
  #unsubscribe: (() => void) | undefined;
  #dropped = 0;
  #closed = false;

  constructor(db: TabAgent, options: EventHubOptions) {
    this.#db = db;
    this.#options = { dropGraceMs: 5_000, closeGraceMs: 1_000, ...options };
  }

  /** Connected clients and clients dropped for reading too slowly. */
  stats(): { clients: number; dropped: number } {
    return { clients: this.#clients.size, dropped: this.#dropped };
  }

  add(socket: WebSocket): void {
    if (this.#closed) {
      socket.close(SHUTDOWN_CLOSE_CODE, 'server shutting down');
      return;
    }
    const client = new EventClient(socket);
    this.#clients.set(socket, client);
    socket.on('pong', () => (client.alive = true));
    socket.once('close', () => this.remove(socket));
  }

  remove(socket: WebSocket): void {
    this.#clients.delete(socket);
    this.#updateSubscription();
  }

  /** Replaces the client's subscription (undefined: none). */
  subscribe(socket: WebSocket, filter: EventFilter | undefined): void {
    const client = this.#clients.get(socket);
    if (client === undefined) return;
    client.filter = filter;
    this.#updateSubscription();
  }

  /** Sends a control message (not an event) to one client, unless it is gone or too far behind. */
  send(socket: WebSocket, message: unknown): void {
    const client = this.#clients.get(socket);
    if (client !== undefined) this.#push(client, JSON.stringify(message));
  }

  /** Pings every client; one that did not answer the previous ping is cut off. */
  heartbeat(): void {
    for (const client of this.#clients.values()) {
      if (!client.alive) {
        client.socket.terminate();
        continue;
      }
      client.alive = false;
      client.socket.ping();
    }
  }

  /** Closes every client (1001) and stops listening to the database; sockets still open after the grace period are cut. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const socket of this.#dropping) socket.terminate();
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    const sockets = [...this.#clients.keys()];
    await Promise.all(
      sockets.map((socket) => {
        if (socket.readyState === socket.CLOSED) return undefined;
        const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
        socket.close(SHUTDOWN_CLOSE_CODE, 'server shutting down');
        const timer = setTimeout(() => socket.terminate(), this.#options.closeGraceMs);
        return closed.finally(() => clearTimeout(timer));
      }),
    );
    this.#clients.clear();
  }

  #updateSubscription(): void {
    const wanted = !this.#closed && [...this.#clients.values()].some((c) => c.filter !== undefined);
    if (wanted && this.#unsubscribe === undefined && this.#db.status === 'open') {
      this.#unsubscribe = this.#db.subscribe((event) => this.#fanOut(event));
    } else if (!wanted && this.#unsubscribe !== undefined) {
      this.#unsubscribe();
      this.#unsubscribe = undefined;
    }
  }

  #fanOut(event: TabAgentEvent): void {
    let json: string | undefined;
    for (const client of this.#clients.values()) {
      if (client.filter === undefined || !matchesEventFilter(event, client.filter)) continue;
      json ??= JSON.stringify({ type: 'event', event });
      this.#push(client, json);
    }
  }

  #push(client: EventClient, json: string): void {
    const { socket } = client;
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > this.#options.maxBufferedBytes) {
      this.#drop(client);
      return;
    }
    socket.send(json);
  }

  #drop(client: EventClient): void {
    this.#dropped++;
    this.#clients.delete(client.socket);
    this.#updateSubscription();
    // The close frame queues behind the unsent data; a client that does not read it is cut off.
    const { socket } = client;
    this.#dropping.add(socket);
    socket.once('close', () => this.#dropping.delete(socket));
    socket.close(SLOW_CONSUMER_CLOSE_CODE, 'too slow: events were not read in time');
    setTimeout(() => socket.terminate(), this.#options.dropGraceMs).unref();
  }
}
