import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./components/App.tsx";
import { appConfigFrom } from "./config.ts";
import "./styles.css";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App config={appConfigFrom(import.meta.env)} />
  </StrictMode>,
);
