import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "./env.ts";

describe("parseEnv", () => {
  it("gives safe development defaults for an empty environment", () => {
    const env = parseEnv({});
    expect(env.NODE_ENV).toBe("development");
    expect(env.API_PORT).toBe(3000);
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.WORKER_IN_PROCESS).toBe(true);
  });

  it("lists every missing production variable in one message", () => {
    let error: unknown;
    try {
      parseEnv({ NODE_ENV: "production", API_PORT: "not-a-port", GOOGLE_CLIENT_ID: "x" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EnvError);
    const { issues, message } = error as EnvError;
    expect(issues).toEqual(
      expect.arrayContaining([
        "DATABASE_URL: required in production",
        "BETTER_AUTH_SECRET: required in production",
        "API_URL: required in production",
        "WEB_URL: required in production",
        "ADMIN_URL: required in production",
        "GOOGLE_CLIENT_ID/GOOGLE_CLIENT_SECRET: set both or neither",
      ]),
    );
    expect(issues.some((i) => i.startsWith("API_PORT:"))).toBe(true);
    expect(message).toMatch(/^Invalid environment:\n {2}- /);
  });

  it("refuses the development secret and malformed values in production", () => {
    expect(() =>
      parseEnv({
        NODE_ENV: "production",
        DATABASE_URL: "postgres://u:p@db:5432/lectern",
        BETTER_AUTH_SECRET: "lectern-development-secret-do-not-use-in-production",
        API_URL: "https://api.example.com",
        WEB_URL: "https://app.example.com",
        ADMIN_URL: "ftp://admin.example.com",
      }),
    ).toThrow(/BETTER_AUTH_SECRET: the development secret[\s\S]*ADMIN_URL:/);
  });

  it("accepts a complete production environment", () => {
    const env = parseEnv({
      NODE_ENV: "production",
      DATABASE_URL: "postgres://u:p@db:5432/lectern",
      BETTER_AUTH_SECRET: "a".repeat(40),
      API_URL: "https://api.example.com",
      WEB_URL: "https://app.example.com",
      ADMIN_URL: "https://admin.example.com",
      TRUST_PROXY: "true",
      SMTP_URL: "smtp://mail.example.com:587",
    });
    expect(env.TRUST_PROXY).toBe(true);
    expect(env.SMTP_URL).toBe("smtp://mail.example.com:587");
  });
});
