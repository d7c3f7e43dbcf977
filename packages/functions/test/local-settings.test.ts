import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { localSettingsFromEnv } from "../src/local/settings.ts";

describe("local server settings (README: Configuration)", () => {
  it("defaults to port 4000 on localhost, data in .data, table notes", () => {
    expect(localSettingsFromEnv({})).toEqual({
      port: 4000,
      host: "localhost",
      dataDir: resolve(".data"),
      tableName: "notes",
      trustedDocumentsOnly: false,
      bucketName: "notes-attachments",
      lambdaConcurrency: 10,
      lambdaInspectPort: undefined,
      logFormat: "readable",
    });
  });

  it("prints readable lines unless LOG_FORMAT=json, and says which values LOG_FORMAT takes", () => {
    expect(localSettingsFromEnv({ LOG_FORMAT: "json" }).logFormat).toBe("json");
    expect(localSettingsFromEnv({ LOG_FORMAT: " JSON " }).logFormat).toBe("json");
    expect(localSettingsFromEnv({ LOG_FORMAT: "readable" }).logFormat).toBe("readable");
    expect(() => localSettingsFromEnv({ LOG_FORMAT: "yaml" })).toThrow('LOG_FORMAT must be "readable" or "json", got "yaml"');
  });

  it("runs only trusted documents with TRUSTED_DOCUMENTS_ONLY=true, as a deployed stage can", () => {
    expect(localSettingsFromEnv({ TRUSTED_DOCUMENTS_ONLY: "true" }).trustedDocumentsOnly).toBe(true);
    expect(localSettingsFromEnv({ TRUSTED_DOCUMENTS_ONLY: "false" }).trustedDocumentsOnly).toBe(false);
  });

  it("reads TRUSTED_DOCUMENTS_ONLY as the Lambda does: 1/0 too, and a typo is an error, not off", () => {
    expect(localSettingsFromEnv({ TRUSTED_DOCUMENTS_ONLY: "1" }).trustedDocumentsOnly).toBe(true);
    expect(localSettingsFromEnv({ TRUSTED_DOCUMENTS_ONLY: "0" }).trustedDocumentsOnly).toBe(false);
    expect(() => localSettingsFromEnv({ TRUSTED_DOCUMENTS_ONLY: "ture" })).toThrow('TRUSTED_DOCUMENTS_ONLY must be true or false, got "ture"');
  });

  it("treats an empty variable as unset, not as port 0 or the current directory", () => {
    expect(localSettingsFromEnv({ PORT: "", HOST: " ", DATA_DIR: "" })).toEqual(localSettingsFromEnv({}));
  });

  it("takes PORT=0 (a free port), HOST and DATA_DIR as given", () => {
    expect(localSettingsFromEnv({ PORT: "0", HOST: "127.0.0.1", DATA_DIR: "/tmp/notes" })).toMatchObject({
      port: 0,
      host: "127.0.0.1",
      dataDir: "/tmp/notes",
    });
  });

  it("refuses a PORT that is not a port number", () => {
    for (const port of ["abc", "-1", "65536", "80.5"]) {
      expect(() => localSettingsFromEnv({ PORT: port })).toThrow(`PORT must be a port number, got "${port}"`);
    }
  });
});
