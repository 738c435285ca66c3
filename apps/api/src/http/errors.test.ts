import type { ApiErrorData } from "@lectern/api-contract";
import { describe, expect, it } from "vitest";
import { type Agent, signUpVerified } from "../testing/index.ts";
import { useTestApp } from "../testing/vitest.ts";

const t = await useTestApp();

/** POSTs a raw body to a tRPC mutation and returns the status and the unwrapped error. */
async function post(agent: Agent, path: string, body: string | undefined, contentType?: string) {
  const response = await agent.fetch(`/api/trpc/${path}`, {
    method: "POST",
    headers: contentType ? { "content-type": contentType } : {},
    body,
  });
  const text = await response.text();
  const error = (JSON.parse(text) as { error: { json: { message: string; data: ApiErrorData } } }).error.json;
  return { status: response.status, text, error };
}

describe("error bodies", () => {
  it("a wrong or missing content type answers 415 UNSUPPORTED_MEDIA_TYPE, not INTERNAL", async () => {
    const { agent } = await signUpVerified(t, { email: "content-type@example.com" });
    const body = JSON.stringify({ json: { name: "X", timezone: "UTC", locale: "en" } });
    for (const contentType of ["text/plain", "application/x-www-form-urlencoded", undefined]) {
      const { status, error } = await post(agent, "account.updateProfile", body, contentType);
      expect(status, contentType).toBe(415);
      expect(error.data).toMatchObject({ appCode: "UNSUPPORTED_MEDIA_TYPE", status: 415, httpStatus: 415, issues: [] });
      expect(error.message).toBe("Send the request body as application/json");
    }
  });

  it("never shows a client the text of an exception inside the server", async () => {
    const { agent } = await signUpVerified(t, { email: "garbage@example.com" });
    // Bodies tRPC cannot decode: its decoder's exceptions ("Cannot destructure property 'json' of
    // null", JSON syntax errors) used to be the message.
    for (const body of ["null", "{not json", '{"json":']) {
      const { status, text, error } = await post(agent, "account.updateProfile", body, "application/json");
      expect(status, body).toBe(400);
      expect(error.data.appCode).toBe("BAD_REQUEST");
      expect(error.message).toBe("The request could not be read: send JSON in tRPC's format");
      expect(text).not.toMatch(/destructure|Unexpected token|JSON at position|is not valid JSON|TypeError|SyntaxError/);
      expect(text).not.toContain('"stack"');
    }
  });

  it("a validation failure lists {path, code, message} per field and says it in one short line", async () => {
    const { agent } = await signUpVerified(t, { email: "fields@example.com" });
    const { status, error } = await post(
      agent,
      "account.updateProfile",
      JSON.stringify({ json: { name: "", timezone: "Mars/Olympus", locale: "en" } }),
      "application/json",
    );
    expect(status).toBe(400);
    expect(error.data.appCode).toBe("VALIDATION_FAILED");
    expect(error.data.issues).toEqual(
      expect.arrayContaining([
        { path: ["name"], code: "too_small", message: expect.any(String) },
        { path: ["timezone"], code: "custom", message: "Unknown time zone" },
      ]),
    );
    expect(error.data.issues).toHaveLength(2);
    // A sentence, not a JSON dump of zod's issues.
    expect(error.message).toMatch(/^name: .+ \(and 1 more\)$/);
    expect(error.message).not.toMatch(/[[{]/);

    const query = await agent.fetch(
      `/api/trpc/tutoring.sessions.past?input=${encodeURIComponent(JSON.stringify({ json: { page: 0 } }))}`,
    );
    const queryError = ((await query.json()) as { error: { json: { data: ApiErrorData } } }).error.json;
    expect(queryError.data.issues).toEqual([{ path: ["page"], code: "too_small", message: expect.any(String) }]);
  });
});
