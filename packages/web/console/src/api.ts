import { useCallback, useEffect, useState } from "react";
import type { ConsoleError } from "@notes/functions/local/console/types";

/** The console's data endpoints, on the page's own origin. */
export const API = "/console/api";

export async function getJson<T>(path: string): Promise<T> {
  return answer<T>(await fetch(`${API}/${path}`, { headers: { accept: "application/json" } }));
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  return answer<T>(
    await fetch(`${API}/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  );
}

async function answer<T>(response: Response): Promise<T> {
  const body = (await response.json()) as T | ConsoleError;
  if (!response.ok) throw new Error((body as ConsoleError).error?.message ?? `HTTP ${response.status}`);
  return body as T;
}

export function formatBytes(size: number): string {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KiB`;
  return `${(size / 1024 / 1024).toFixed(1)} MiB`;
}

export function formatAge(iso: string | null, now = Date.now()): string {
  if (!iso) return "—";
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} d ago`;
}

/** A resource that loads on mount and on demand: [data, error, reload]. */
export function useResource<T>(path: string): { data: T | null; error: string | null; reload(): void } {
  const [state, setState] = useState<{ data: T | null; error: string | null }>({ data: null, error: null });
  const reload = useCallback(() => {
    getJson<T>(path).then(
      (data) => setState({ data, error: null }),
      (error: Error) => setState((previous) => ({ data: previous.data, error: error.message })),
    );
  }, [path]);
  useEffect(reload, [reload]);
  return { ...state, reload };
}
