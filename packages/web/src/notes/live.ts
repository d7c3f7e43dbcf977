import { createClient, type Client } from "graphql-ws";

export type LiveStatus = "connecting" | "live" | "reconnecting";

export interface LiveConnection {
  /** The graphql-ws client the urql client's subscriptionExchange sends through. */
  client: Client;
  status(): LiveStatus;
  /** Called on every status change; returns the unsubscribe function. */
  onStatus(listener: (status: LiveStatus) => void): () => void;
  /** Called when a connection is acknowledged again after a drop: events may have been missed. */
  onReconnected(listener: () => void): () => void;
  /** Called when the server ended a connection before acknowledging it: the token may be refused. */
  onRefused(listener: () => void): () => void;
  dispose(): void;
}

/** API Gateway closes a connection idle for 10 minutes; a ping before that keeps it open. */
const KEEP_ALIVE_MS = 9 * 60_000;

/**
 * The app's one WebSocket (graphql-transport-ws) for Subscription.noteEvents: the session's token
 * in `connection_init`, asked for afresh on each connection; reconnects for ever with graphql-ws'
 * randomised exponential back-off.
 */
export function createLiveConnection(url: string, token: () => Promise<string | null>): LiveConnection {
  let status: LiveStatus = "connecting";
  let acknowledgedBefore = false;
  let opened = false;
  let acknowledged = false;
  const listeners = { status: new Set<(s: LiveStatus) => void>(), reconnected: new Set<() => void>(), refused: new Set<() => void>() };
  const setStatus = (next: LiveStatus) => {
    if (next === status) return;
    status = next;
    for (const listener of listeners.status) listener(next);
  };
  const client = createClient({
    url,
    connectionParams: async () => {
      const current = await token();
      return current ? { Authorization: `Bearer ${current}` } : {};
    },
    keepAlive: KEEP_ALIVE_MS,
    retryAttempts: Infinity,
    // API Gateway ends refused and idle connections with plain closes, which graphql-ws would not retry.
    shouldRetry: () => true,
    on: {
      connecting: () => {
        opened = false;
        acknowledged = false;
        setStatus(acknowledgedBefore ? "reconnecting" : "connecting");
      },
      opened: () => {
        opened = true;
      },
      connected: () => {
        acknowledged = true;
        setStatus("live");
        if (acknowledgedBefore) for (const listener of listeners.reconnected) listener();
        acknowledgedBefore = true;
      },
      closed: () => {
        if (opened && !acknowledged) for (const listener of listeners.refused) listener();
        setStatus(acknowledgedBefore ? "reconnecting" : "connecting");
      },
    },
  });
  const subscribe = <T>(set: Set<T>, listener: T) => {
    set.add(listener);
    return () => void set.delete(listener);
  };
  return {
    client,
    status: () => status,
    onStatus: (listener) => subscribe(listeners.status, listener),
    onReconnected: (listener) => subscribe(listeners.reconnected, listener),
    onRefused: (listener) => subscribe(listeners.refused, listener),
    dispose: () => void client.dispose(),
  };
}
