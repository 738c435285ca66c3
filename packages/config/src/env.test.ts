import { describe, expect, it } from "vitest";
import { assertProductionEntryEnv, EnvError, parseEnv, trustedOrigins } from "./env.ts";

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

describe("EXTRA_TRUSTED_ORIGINS", () => {
  const issuesOf = (value: string) => {
    try {
      parseEnv({ EXTRA_TRUSTED_ORIGINS: value });
    } catch (error) {
      return (error as EnvError).issues;
    }
    return [];
  };

  it("accepts http(s) origins and trusts them beside the apps' own", () => {
    const env = parseEnv({ EXTRA_TRUSTED_ORIGINS: "https://partner.example.com, http://localhost:8080/" });
    expect(trustedOrigins(env)).toEqual(
      expect.arrayContaining(["https://partner.example.com", "http://localhost:8080", "http://localhost:5173"]),
    );
  });

  it.each([
    ["app://lectern", "is not an http(s) origin"],
    ["capacitor://localhost", "is not an http(s) origin"],
    ["file:///tmp/x", "is not an http(s) origin"],
    ["null", "is not a URL"],
    ["partner.example.com", "is not a URL"],
    ["https://partner.example.com/app", 'is not an origin (did you mean "https://partner.example.com"?)'],
  ])("refuses %s with an error naming the value", (value, problem) => {
    expect(issuesOf(`https://ok.example.com,${value}`)).toEqual([`EXTRA_TRUSTED_ORIGINS: "${value}" ${problem}`]);
  });

  it('never lists "null" (an opaque origin) as trusted', () => {
    const env = parseEnv({});
    // A custom-scheme entry used to become the origin "null"; even if one slipped through, it is dropped.
    expect(trustedOrigins({ ...env, EXTRA_TRUSTED_ORIGINS: ["app://lectern"] })).not.toContain("null");
  });
});

describe("assertProductionEntryEnv (the API and worker entries)", () => {
  const production = { DATABASE_URL: "postgres://u:p@db:5432/lectern", BETTER_AUTH_SECRET: "a".repeat(40) };

  it("refuses the development secret and a missing DATABASE_URL unless NODE_ENV=development is set", () => {
    expect(() => assertProductionEntryEnv({})).toThrow(/BETTER_AUTH_SECRET: set a secret[\s\S]*DATABASE_URL: required/);
    expect(() =>
      assertProductionEntryEnv({
        ...production,
        BETTER_AUTH_SECRET: "lectern-development-secret-do-not-use-in-production",
      }),
    ).toThrow(EnvError);
    expect(() => assertProductionEntryEnv({ ...production, DATABASE_URL: undefined, NODE_ENV: "test" })).toThrow(
      /DATABASE_URL/,
    );
    expect(() => assertProductionEntryEnv({ NODE_ENV: "development" })).not.toThrow();
    expect(() => assertProductionEntryEnv(production)).not.toThrow();
  });
});
