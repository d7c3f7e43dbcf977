import { dynamo, isConditionFailure } from "./dynamo.ts";
import { reservedPartition } from "./table.ts";

/**
 * Live WebSocket connections and their GraphQL subscriptions, in the notes table outside every
 * user's note partition (SPEC "Data"): keys longer than any user id the API accepts, so no token's
 * `sub` can name them, and listing notes never meets them. Items carry `expiresAtEpoch`, the
 * table's TTL attribute, so what a lost `$disconnect` leaves behind is dropped by DynamoDB.
 */

export interface Connection {
  connectionId: string;
  /** Set once `connection_init` carried a valid token. */
  userId?: string;
  connectedAt: number;
  /** Epoch seconds: until then a connection without `connection_init` may still send it. */
  expiresAtEpoch: number;
}

export interface StoredSubscription {
  connectionId: string;
  /** The client's id of the operation (graphql-transport-ws `subscribe.id`). */
  subscriptionId: string;
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

/** The stored item: `userId` is the table's partition key, so the connection's user is `owner`. */
interface ConnectionItem {
  connectionId: string;
  owner?: string;
  connectedAt: number;
  expiresAtEpoch: number;
}

/** API Gateway closes every WebSocket connection after 2 hours; items outlive it by a margin. */
export const CONNECTION_LIFETIME_SECONDS = 2 * 60 * 60 + 5 * 60;

const CONNECTION_KIND = "ws-connection";
const USER_KIND = "ws-user";
const CONNECTION_SORT_KEY = "connection";
const SUBSCRIPTION_SORT_PREFIX = "subscription/";

const connectionKey = (connectionId: string) => ({
  userId: reservedPartition(CONNECTION_KIND, connectionId),
  noteId: CONNECTION_SORT_KEY,
});
const userPartition = (userId: string) => reservedPartition(USER_KIND, userId);
const subscriptionSortKey = (connectionId: string, subscriptionId: string) =>
  `${SUBSCRIPTION_SORT_PREFIX}${connectionId}/${subscriptionId}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** `$connect`: the connection may send `connection_init` until `initWaitSeconds` from now. */
export async function addConnection(connectionId: string, initWaitSeconds: number): Promise<void> {
  await dynamo.put({
    Item: {
      ...connectionKey(connectionId),
      connectionId,
      connectedAt: Date.now(),
      expiresAtEpoch: nowSeconds() + initWaitSeconds,
    },
  });
}

/** The connection, or null if unknown or past its expiry (TTL deletes lazily, so expiry is checked here). */
export async function getConnection(connectionId: string): Promise<Connection | null> {
  const { Item } = await dynamo.get({ Key: connectionKey(connectionId), ConsistentRead: true });
  if (!Item || (Item.expiresAtEpoch as number) < nowSeconds()) return null;
  const { connectionId: id, owner, connectedAt, expiresAtEpoch } = Item as ConnectionItem;
  return { connectionId: id, userId: owner, connectedAt, expiresAtEpoch };
}

/** `connection_init` with a valid token: false when the connection had already been initialised (or is gone). */
export async function initializeConnection(connectionId: string, userId: string): Promise<boolean> {
  try {
    await dynamo.update({
      Key: connectionKey(connectionId),
      UpdateExpression: "SET #owner = :owner, expiresAtEpoch = :expires",
      ConditionExpression: "attribute_exists(connectionId) AND attribute_not_exists(#owner) AND expiresAtEpoch >= :now",
      ExpressionAttributeNames: { "#owner": "owner" },
      ExpressionAttributeValues: { ":owner": userId, ":expires": nowSeconds() + CONNECTION_LIFETIME_SECONDS, ":now": nowSeconds() },
    });
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Stores a subscription under its user; false if the connection already has one with this id. */
export async function addSubscription(userId: string, subscription: StoredSubscription): Promise<boolean> {
  try {
    await dynamo.put({
      Item: {
        ...subscriptionKey(userId, subscription.connectionId, subscription.subscriptionId),
        ...subscription,
        expiresAtEpoch: nowSeconds() + CONNECTION_LIFETIME_SECONDS,
      },
      ConditionExpression: "attribute_not_exists(noteId)",
    });
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

export async function removeSubscription(userId: string, connectionId: string, subscriptionId: string): Promise<void> {
  await dynamo.remove({ Key: subscriptionKey(userId, connectionId, subscriptionId) });
}

function subscriptionKey(userId: string, connectionId: string, subscriptionId: string) {
  return { userId: userPartition(userId), noteId: subscriptionSortKey(connectionId, subscriptionId) };
}

/** Every live subscription of a user, on any of their connections: one Query on their subscription partition. */
export async function subscriptionsOf(userId: string): Promise<StoredSubscription[]> {
  return querySubscriptions(userId, SUBSCRIPTION_SORT_PREFIX);
}

/** `$disconnect`, or a send that found the connection gone: its subscriptions and its record go. */
export async function removeConnection(connectionId: string, userId?: string): Promise<void> {
  const owner = userId ?? (await getConnection(connectionId))?.userId;
  if (owner !== undefined) {
    const subscriptions = await querySubscriptions(owner, subscriptionSortKey(connectionId, ""));
    // In batches (25 a call); the record goes last, so a failure here leaves it to find the owner by.
    await dynamo.batchWrite(
      subscriptions.map((s) => ({ DeleteRequest: { Key: subscriptionKey(owner, connectionId, s.subscriptionId) } })),
    );
  }
  await dynamo.remove({ Key: connectionKey(connectionId) });
}

async function querySubscriptions(userId: string, sortKeyPrefix: string): Promise<StoredSubscription[]> {
  const found: StoredSubscription[] = [];
  let exclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.query({
      KeyConditionExpression: "userId = :partition AND begins_with(noteId, :prefix)",
      FilterExpression: "expiresAtEpoch >= :now",
      ExpressionAttributeValues: { ":partition": userPartition(userId), ":prefix": sortKeyPrefix, ":now": nowSeconds() },
      ExclusiveStartKey: exclusiveStartKey,
    });
    for (const item of page.Items ?? []) {
      const { connectionId, subscriptionId, query, variables, operationName } = item as StoredSubscription;
      found.push({ connectionId, subscriptionId, query, variables, operationName });
    }
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey);
  return found;
}
