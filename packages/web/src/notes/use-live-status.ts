import { useEffect, useRef, useState } from "react";
import type { LiveConnection, LiveStatus } from "./live.ts";

/** The live connection's status for the page, and its reconnect and refusal callbacks while mounted. */
export function useLiveStatus(
  live: LiveConnection,
  callbacks: { onReconnected(): void; onRefused(): void },
): LiveStatus {
  const [status, setStatus] = useState(live.status());
  const latest = useRef(callbacks);
  latest.current = callbacks;
  useEffect(() => {
    setStatus(live.status());
    const stops = [
      live.onStatus(setStatus),
      live.onReconnected(() => latest.current.onReconnected()),
      live.onRefused(() => latest.current.onRefused()),
    ];
    return () => stops.forEach((stop) => stop());
  }, [live]);
  return status;
}
