import { createClient, type Client, type ClientOptions } from "graphql-ws";
import net from "node:net";
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

/** A frame the server sent, as it came on the wire. */
export interface Frame {
  fin: boolean;
  opcode: number;
  length: number;
}

/**
 * The `ws` WebSocket, recording the header of every frame the server sends into `frames` (the
 * library joins fragments before a client sees a message): for a graphql-ws client's `webSocketImpl`.
 */
export function frameRecordingWebSocket(frames: Frame[]): typeof WebSocket {
  return class extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, {
        createConnection: (options: object) => {
          const socket = net.connect(options as net.NetConnectOpts);
          let pending = Buffer.alloc(0);
          let upgraded = false;
          socket.on("data", (chunk: Buffer) => {
            pending = Buffer.concat([pending, chunk]);
            if (!upgraded) {
              const end = pending.indexOf("\r\n\r\n");
              if (end === -1) return;
              upgraded = true;
              pending = pending.subarray(end + 4);
            }
            for (;;) {
              const frame = frameAt(pending);
              if (!frame) return;
              frames.push(frame.frame);
              pending = pending.subarray(frame.size);
            }
          });
          return socket;
        },
      });
    }
  } as typeof WebSocket;
}

/** The server's (unmasked) frame at the start of `data`, when all of it has come. */
function frameAt(data: Buffer): { frame: Frame; size: number } | undefined {
  if (data.length < 2) return undefined;
  let length = data[1]! & 0x7f;
  let header = 2;
  if (length === 126) {
    if (data.length < 4) return undefined;
    length = data.readUInt16BE(2);
    header = 4;
  } else if (length === 127) {
    if (data.length < 10) return undefined;
    length = Number(data.readBigUInt64BE(2));
    header = 10;
  }
  if (data.length < header + length) return undefined;
  return { frame: { fin: (data[0]! & 0x80) !== 0, opcode: data[0]! & 0x0f, length }, size: header + length };
}
