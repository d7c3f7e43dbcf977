import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { AdminGetUserCommand, InitiateAuthCommand, ListUsersCommand, type UserType } from "@aws-sdk/client-cognito-identity-provider";
import { cognitoDir, createConfirmedUser, localCognitoClient, type LocalCognito } from "../cognito.ts";
import type { UserView } from "./types.ts";

/**
 * The local pool's users through the Cognito API (cognito-local's admin calls), and an access token
 * for any of them signed in through that API as the web app signs in. cognito-local keeps each
 * user's password in its pool file: the token is a real sign-in, and no password is changed.
 */
export type PoolAccess = Pick<LocalCognito, "endpoint" | "userPoolId" | "clientId"> & { dataDir: string };

export class ConsoleUserError extends Error {
  constructor(
    readonly code: "BAD_USER_INPUT" | "NOT_FOUND" | "USER_NOT_CONFIRMED" | "USER_EXISTS",
    message: string,
  ) {
    super(message);
  }
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}$/;

export async function listUsers(pool: PoolAccess): Promise<UserView[]> {
  const cognito = localCognitoClient(pool.endpoint);
  try {
    const users: UserView[] = [];
    let token: string | undefined;
    do {
      const page = await cognito.send(new ListUsersCommand({ UserPoolId: pool.userPoolId, PaginationToken: token }));
      users.push(...(page.Users ?? []).map(userView));
      token = page.PaginationToken;
    } while (token);
    return users.sort((a, b) => (b.createdAt ?? "").localeCompare(a.createdAt ?? ""));
  } finally {
    cognito.destroy();
  }
}

function userView(user: UserType): UserView {
  const attribute = (name: string) => user.Attributes?.find((a) => a.Name === name)?.Value ?? null;
  return {
    username: user.Username ?? "",
    email: attribute("email"),
    sub: attribute("sub"),
    status: user.UserStatus ?? "UNKNOWN",
    confirmed: user.UserStatus === "CONFIRMED",
    createdAt: user.UserCreateDate?.toISOString() ?? null,
  };
}

/** A confirmed user; without a password, one that meets the pool's policy is generated. */
export async function createUser(pool: PoolAccess, input: { email?: unknown; password?: unknown }): Promise<UserView> {
  const email = typeof input.email === "string" ? input.email.trim().toLowerCase() : "";
  if (!EMAIL.test(email)) throw new ConsoleUserError("BAD_USER_INPUT", "email must be an email address");
  const given = typeof input.password === "string" ? input.password : "";
  if (given !== "" && given.length < 8) throw new ConsoleUserError("BAD_USER_INPUT", "password must have at least 8 characters");
  const existing = (await listUsers(pool)).find((user) => user.email === email);
  if (existing) throw new ConsoleUserError("USER_EXISTS", `${email} is already a user`);
  const cognito = localCognitoClient(pool.endpoint);
  try {
    await createConfirmedUser(cognito, pool.userPoolId, email, given || `${randomBytes(18).toString("base64url")}aA1!`);
    const user = await cognito.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: email }));
    return userView({ ...user, Attributes: user.UserAttributes });
  } finally {
    cognito.destroy();
  }
}

/** A fresh access token for the user with this username (or email), valid one hour. */
export async function userAccessToken(pool: PoolAccess, username: unknown): Promise<string> {
  if (typeof username !== "string" || username === "") throw new ConsoleUserError("BAD_USER_INPUT", "username is required");
  const user = (await listUsers(pool)).find((candidate) => candidate.username === username || candidate.email === username);
  if (!user) throw new ConsoleUserError("NOT_FOUND", `no user ${username} in the local pool`);
  if (!user.confirmed) throw new ConsoleUserError("USER_NOT_CONFIRMED", `${user.email ?? username} has not confirmed the sign-up (${user.status})`);
  const stored = await storedPassword(pool, user.username);
  const cognito = localCognitoClient(pool.endpoint);
  try {
    const result = await cognito.send(
      new InitiateAuthCommand({
        ClientId: pool.clientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: user.email ?? user.username, PASSWORD: stored },
      }),
    );
    return result.AuthenticationResult!.AccessToken!;
  } finally {
    cognito.destroy();
  }
}

async function storedPassword(pool: PoolAccess, username: string): Promise<string> {
  const file = join(cognitoDir(pool.dataDir), ".cognito", "db", `${pool.userPoolId}.json`);
  const { Users } = JSON.parse(await readFile(file, "utf8")) as { Users?: Record<string, { Password?: string }> };
  const password = Users?.[username]?.Password;
  if (typeof password !== "string") throw new ConsoleUserError("NOT_FOUND", `no password stored for ${username}`);
  return password;
}
