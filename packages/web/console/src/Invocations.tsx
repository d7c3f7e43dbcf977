import { useEffect, useState } from "react";
import type { ConsoleEvent, InvocationDetail, InvocationSummary } from "@notes/functions/local/console/types";
import { API, getJson } from "./api.ts";
import { LogLine } from "./LogLine.tsx";
import { TableHead } from "./TableHead.tsx";

const KEEP = 200;

/** Newest first, live: a snapshot, then each new invocation as the server sends it. */
function useInvocations(): { invocations: InvocationSummary[]; live: boolean } {
  const [invocations, setInvocations] = useState<InvocationSummary[]>([]);
  const [live, setLive] = useState(false);
  useEffect(() => {
    const events = new EventSource(`${API}/events`);
    events.onopen = () => setLive(true);
    events.onerror = () => setLive(false);
    events.onmessage = (message: MessageEvent<string>) => {
      const event = JSON.parse(message.data) as ConsoleEvent;
      if (event.type === "snapshot") setInvocations(event.invocations);
      else setInvocations((previous) => [event.invocation, ...previous].slice(0, KEEP));
    };
    return () => events.close();
  }, []);
  return { invocations, live };
}

export function Invocations() {
  const { invocations, live } = useInvocations();
  const [openId, setOpenId] = useState<string | null>(null);
  return (
    <section className="split">
      <div className="list">
        <p className="hint" role="status">
          {live ? "Live" : "Connecting…"} · {invocations.length} invocation{invocations.length === 1 ? "" : "s"}
        </p>
        {invocations.length === 0 ? (
          <p className="empty">
            No invocations yet — open the <a href="/" target="_blank" rel="noreferrer">web app</a> or{" "}
            <a href="/graphql" target="_blank" rel="noreferrer">GraphiQL</a> and send a request.
          </p>
        ) : (
          <table aria-label="Invocations">
            <TableHead columns={["Time", "Operation", "Status", "Duration", "Start", "Worker", "Request id"]} />
            <tbody>
              {invocations.map((inv) => (
                <tr
                  key={inv.requestId + inv.startedAt}
                  className={inv.requestId === openId ? "selected" : undefined}
                  onClick={() => setOpenId(inv.requestId)}
                >
                  <td>{new Date(inv.startedAt).toLocaleTimeString([], { hour12: false })}</td>
                  <td>
                    <button className="link" onClick={() => setOpenId(inv.requestId)}>
                      {inv.operation ?? inv.route}
                    </button>
                  </td>
                  <td className={inv.status >= 500 ? "bad" : inv.status >= 400 ? "warn" : "ok"}>{inv.status}</td>
                  <td className="number">{inv.durationMs.toFixed(1)} ms</td>
                  <td>{inv.cold ? "cold" : "warm"}</td>
                  <td className="number">{inv.worker}</td>
                  <td className="mono">{inv.requestId}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {openId && <InvocationView requestId={openId} onClose={() => setOpenId(null)} />}
    </section>
  );
}

function InvocationView({ requestId, onClose }: { requestId: string; onClose(): void }) {
  const [detail, setDetail] = useState<InvocationDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setDetail(null);
    getJson<InvocationDetail>(`invocations/${encodeURIComponent(requestId)}`).then(setDetail, (e: Error) => setError(e.message));
  }, [requestId]);
  if (error) return <aside className="detail">{error}</aside>;
  if (!detail) return <aside className="detail">Loading…</aside>;
  const { logLines } = detail;
  return (
    <aside className="detail" aria-label="Invocation">
      <header>
        <h2>{detail.operation ?? detail.route}</h2>
        <button onClick={onClose} aria-label="Close">×</button>
      </header>
      <p className="mono">
        {detail.route} · {detail.status} · {detail.durationMs.toFixed(1)} ms · {detail.cold ? "cold" : "warm"} start · worker {detail.worker} ·{" "}
        {detail.requestId}
      </p>
      <h3>Log lines</h3>
      {logLines.length === 0 ? <p className="empty">This invocation wrote no log line.</p> : logLines.map((line, i) => <LogLine key={i} line={line} />)}
      <h3>Metrics</h3>
      {detail.metrics.length === 0 ? (
        <p className="empty">No metrics (POWERTOOLS_METRICS_DISABLED?).</p>
      ) : (
        <table aria-label="Metrics">
          <tbody>
            {detail.metrics.map((metric, i) => (
              <tr key={i}>
                <th>{metric.name}</th>
                <td className="number">{metric.values.join(", ")}</td>
                <td>{metric.unit}</td>
                <td className="mono">{Object.entries(metric.dimensions).map(([k, v]) => `${k}=${v}`).join(" ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Request</h3>
      {!detail.request ? (
        <p className="empty">No GraphQL request (a GET of GraphiQL, or refused before parsing).</p>
      ) : (
        <>
          {detail.request.persistedQueryHash && <p className="mono">Trusted document {detail.request.persistedQueryHash}</p>}
          {detail.request.document && <pre className="code">{detail.request.document}</pre>}
          {detail.request.variables !== undefined && <pre className="code">{JSON.stringify(detail.request.variables, null, 2)}</pre>}
          <p className="hint">Credentials never appear here: headers are not kept, tokens and secret-named variables are redacted.</p>
        </>
      )}
    </aside>
  );
}
