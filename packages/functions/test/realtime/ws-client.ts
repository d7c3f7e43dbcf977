import { createClient, type Client, type ClientOptions } from "graphql-ws";
import WebSocket from "ws";

/**
 * The graphql-ws client (with the `ws` package as its WebSocket on Node 20) against a local
 * server, recording what happened so tests wait on real conditions, never on time.
 */
export interface RecordingClient {
  client: Client;
  /** Resolves with the first of: acknowledged (true), or closed before that (its close code). */
  opened: Promise<true | number>;
  /** Every close event's code, in order. */
  closes: number[];
  connects: number;
  pongs: number;
  /** Resolves once `condition()` holds, checked after every event of the client. */
  until(condition: () => boolean): Promise<void>;
  dispose(): Promise<void>;
}

export function recordingClient(graphqlUrl: string, token: string | undefined, options: Partial<ClientOptions> = {}): RecordingClient {
  const waiters = new Set<{ condition: () => boolean; resolve: () => void }>();
  const check = () => {
    for (const waiter of waiters) if (waiter.condition()) (waiters.delete(waiter), waiter.resolve());
  };
  let resolveOpened!: (value: true | number) => void;
  const record: RecordingClient = {
    client: undefined as unknown as Client,
    opened: new Promise((resolve) => (resolveOpened = resolve)),
    closes: [],
    connects: 0,
    pongs: 0,
    until: (condition) =>
      new Promise<void>((resolve) => {
        waiters.add({ condition, resolve });
        check();
      }),
    dispose: async () => {
      await record.client.dispose();
    },
  };
  record.client = createClient({
    url: graphqlUrl.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams: token === undefined ? {} : { Authorization: `Bearer ${token}` },
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => {},
    ...options,
    on: {
      connected: () => {
        record.connects++;
        resolveOpened(true);
        check();
      },
      closed: (event) => {
        const code = (event as { code: number }).code;
        record.closes.push(code);
        resolveOpened(code);
        check();
      },
      pong: () => {
        record.pongs++;
        check();
      },
    },
  });
  return record;
}

/** One subscription's deliveries: `events` as they came, `errors` if the server refused it. */
export interface RecordedSubscription<T> {
  events: T[];
  errors: unknown[];
  until(condition: () => boolean): Promise<void>;
  unsubscribe(): void;
}

export function recordSubscription<T = any>(
  client: Client,
  query: string,
  variables?: Record<string, unknown>,
): RecordedSubscription<T> {
  const waiters = new Set<{ condition: () => boolean; resolve: () => void }>();
  const check = () => {
    for (const waiter of waiters) if (waiter.condition()) (waiters.delete(waiter), waiter.resolve());
  };
  const recorded: RecordedSubscription<T> = {
    events: [],
    errors: [],
    until: (condition) =>
      new Promise<void>((resolve) => {
        waiters.add({ condition, resolve });
        check();
      }),
    unsubscribe: () => {},
  };
  recorded.unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        recorded.events.push(result.data as T);
        check();
      },
      error: (error) => {
        recorded.errors.push(error);
        check();
      },
      complete: () => {},
    },
  );
  return recorded;
}
