import { useEffect, useState } from "react";
import { Files } from "./Files.tsx";
import { Invocations } from "./Invocations.tsx";
import { Items } from "./Items.tsx";
import { Users } from "./Users.tsx";

const TABS = { Invocations, Items, Files, Users } as const;
type TabName = keyof typeof TABS;

export function App() {
  const [tab, setTab] = useState<TabName>(tabInHash);
  useEffect(() => {
    const follow = () => setTab(tabInHash());
    window.addEventListener("hashchange", follow);
    return () => window.removeEventListener("hashchange", follow);
  }, []);
  const Tab = TABS[tab];
  const open = (name: TabName) => {
    setTab(name);
    history.replaceState(null, "", `#${name}`);
  };
  return (
    <>
      <header className="bar">
        <h1>Notes API · local console</h1>
        <nav role="tablist" aria-label="Console">
          {(Object.keys(TABS) as TabName[]).map((name) => (
            <button key={name} role="tab" aria-selected={tab === name} onClick={() => open(name)}>
              {name}
            </button>
          ))}
        </nav>
        <a href="/graphql" target="_blank" rel="noreferrer">GraphiQL</a>
        <a href="/" target="_blank" rel="noreferrer">Web app</a>
      </header>
      <main role="tabpanel" aria-label={tab}>
        <Tab />
      </main>
    </>
  );
}

/** The tab a link or a reload names (/console#Users), Invocations by default. */
function tabInHash(): TabName {
  const fromHash = decodeURIComponent(location.hash.slice(1));
  return fromHash in TABS ? (fromHash as TabName) : "Invocations";
}
