import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { configureAuth } from "./auth/cognito.ts";
import { App } from "./components/App.tsx";
import { appConfigFrom } from "./config.ts";
import "./styles.css";

const config = appConfigFrom(import.meta.env);
if (config.cognito) configureAuth(config.cognito);

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App config={config} />
  </StrictMode>,
);
