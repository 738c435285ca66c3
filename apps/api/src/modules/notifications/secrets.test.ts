import { schema } from "@lectern/db";
import { eq, sql } from "drizzle-orm";
import { runOnce, Logger as WorkerLogger } from "graphile-worker";
import { afterAll, describe, expect, it } from "vitest";
import { createCronItems, createTaskList } from "../../jobs/tasks.ts";
import { latestEmail, TEST_PASSWORD } from "../../testing/index.ts";
import { startFakeSmtp } from "../../testing/smtp.ts";
import { useTestApp } from "../../testing/vitest.ts";
import { person } from "../tutoring/testing.ts";
import { createEmailProvider } from "./providers.ts";
import { DELIVER_EMAIL_TASK, PURGE_OUTBOX_TASK } from "./service.ts";
import { REDACTED_LINK } from "./templates.ts";

const smtp = await startFakeSmtp();
afterAll(() => smtp.close());
/** Email really delivered: SMTP_URL is set for the API (and its worker). */
const t = await useTestApp({ SMTP_URL: smtp.url });
const silent = new WorkerLogger(() => () => {});

async function runJobsOnce() {
  await runOnce({
    pgPool: t.database.pool,
    logger: silent,
    taskList: createTaskList({ db: t.db, email: createEmailProvider(t.env, t.logger), logger: t.logger }),
  });
}

/** Job payloads still in graphile-worker's table (where a secret could linger). */
async function deliveryPayloads() {
  const { rows } = await t.db.execute<{ payload: unknown }>(
    sql`select j.payload from graphile_worker._private_jobs j
      join graphile_worker._private_tasks k on k.id = j.task_id where k.identifier = ${DELIVER_EMAIL_TASK}`,
  );
  return JSON.stringify(rows);
}

/** The link in the newest email the fake SMTP server received for an address (quoted-printable undone). */
function linkReceived(to: string, path: string) {
  const mail = smtp.received.filter((m) => m.to.includes(to)).at(-1);
  const raw = (mail?.raw ?? "").replace(/=\r?\n/g, "").replace(/=3D/gi, "=");
  const link = raw.match(new RegExp(`https?://[^\\s"<]*${path}\\?token=[^\\s"<&]+`))?.[0];
  if (!link) throw new Error(`no ${path} link received by ${to}`);
  return new URL(link);
}

describe("secret links when email is really delivered (SMTP_URL set)", () => {
  it("the outbox keeps only a redacted copy, SMTP gets the real link, and following it works", async () => {
    const email = "secret@example.com";
    const agent = t.agent();
    expect(
      (await agent.authPost("/sign-up/email", { name: "Sam Secret", email, password: TEST_PASSWORD })).status,
    ).toBe(200);
    const verify = await latestEmail(t.db, email, "verify-email");
    expect(verify.redacted).toBe(true);
    expect(verify.textBody).not.toContain("token=");
    expect(verify.htmlBody).not.toContain("token=");
    expect(verify.textBody).toContain(REDACTED_LINK.en);

    await runJobsOnce();
    expect(await latestEmail(t.db, email, "verify-email")).toMatchObject({ status: "sent", redacted: true });
    // The job that carried the link is gone with it.
    expect(await deliveryPayloads()).not.toContain("token=");
    const verifyLink = linkReceived(email, "/verify-email");
    const verified = await agent.authGet(`/verify-email?token=${verifyLink.searchParams.get("token")}`);
    expect(verified.status).toBeLessThan(400);
    expect(await agent.trpc.account.me.query()).toMatchObject({ email });

    const requested = await t.agent().authPost("/request-password-reset", { email });
    expect(requested.status).toBe(200);
    const reset = await latestEmail(t.db, email, "reset-password");
    expect(reset).toMatchObject({ redacted: true, subject: "Reset your Lectern password" });
    expect(`${reset.textBody}${reset.htmlBody}`).not.toMatch(/token=/);

    await runJobsOnce();
    const resetLink = linkReceived(email, "/reset-password");
    expect(`${resetLink.origin}${resetLink.pathname}`).toBe("http://localhost:5173/reset-password");
    const done = await t.agent().authPost("/reset-password", {
      newPassword: "a-brand-new-passphrase",
      token: resetLink.searchParams.get("token"),
    });
    expect(done.status).toBe(200);
    const signIn = await t.agent().authPost("/sign-in/email", { email, password: "a-brand-new-passphrase" });
    expect(signIn.status).toBe(200);
  });

  it("an admin sending a reset sees the email in the outbox as redacted, never the link", async () => {
    const admin = await person(t, "admin");
    const target = await person(t, "learner", { locale: "ar" });
    await admin.agent.trpc.admin.users.sendPasswordReset.mutate({ userId: target.user.id });
    const { items } = await admin.agent.trpc.admin.outbox.list.query({ to: target.email });
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ template: "reset-password", redacted: true });
    expect(items[0]?.textBody).toContain(REDACTED_LINK.ar);
    expect(JSON.stringify(items)).not.toContain("token=");
  });
});

describe("outbox retention", () => {
  it("a daily job deletes outbox rows older than the retention period, and only those", async () => {
    const day = 24 * 60 * 60 * 1000;
    const row = (to: string, ageDays: number) => ({
      toAddress: to,
      template: "password-changed",
      subject: "s",
      textBody: "t",
      htmlBody: "h",
      createdAt: new Date(Date.now() - ageDays * day),
    });
    await t.db
      .insert(schema.emailOutbox)
      .values([row("old@example.com", 31), row("older@example.com", 400), row("recent@example.com", 29)]);

    const cron = createCronItems({ EMAIL_OUTBOX_RETENTION_DAYS: 30 }).find((c) => c.task === PURGE_OUTBOX_TASK);
    expect(cron?.payload).toEqual({ retentionDays: 30 });
    const purge = createTaskList({ db: t.db, email: createEmailProvider(t.env, t.logger), logger: t.logger })[
      PURGE_OUTBOX_TASK
    ];
    await purge?.(cron?.payload ?? {}, {} as never);

    const left = async (to: string) =>
      (await t.db.select().from(schema.emailOutbox).where(eq(schema.emailOutbox.toAddress, to))).length;
    expect(await left("old@example.com")).toBe(0);
    expect(await left("older@example.com")).toBe(0);
    expect(await left("recent@example.com")).toBe(1);
    expect(await left("secret@example.com")).toBeGreaterThan(0);
  });
});
