import { schema } from "@lectern/db";
import { eq, sql } from "drizzle-orm";
import { runOnce, Logger as WorkerLogger } from "graphile-worker";
import { afterAll, describe, expect, it } from "vitest";
import { addJob } from "../../jobs/queue.ts";
import { createTaskList } from "../../jobs/tasks.ts";
import { latestEmail, TEST_PASSWORD } from "../../testing/index.ts";
import { startFakeSmtp } from "../../testing/smtp.ts";
import { useTestApp } from "../../testing/vitest.ts";
import { startWorker } from "../../worker.ts";
import { createEmailProvider } from "./providers.ts";
import { DELIVER_EMAIL_TASK, enqueueEmail } from "./service.ts";

const t = await useTestApp();
const smtp = await startFakeSmtp({ reject: ["bounce@example.com"] });
afterAll(() => smtp.close());

const silent = new WorkerLogger(() => () => {});

/** One pass of the worker over every job that is due, with email going to SMTP or nowhere. */
async function runJobsOnce(smtpUrl?: string) {
  const email = createEmailProvider({ SMTP_URL: smtpUrl, EMAIL_FROM: t.env.EMAIL_FROM }, t.logger);
  await runOnce({
    pgPool: t.database.pool,
    logger: silent,
    taskList: createTaskList({ db: t.db, email, logger: t.logger }),
  });
}

async function deliveryJobs() {
  const { rows } = await t.db.execute<{ payload: { outboxId: string }; attempts: number; last_error: string | null }>(
    sql`select j.payload, j.attempts, j.last_error, j.run_at from graphile_worker._private_jobs j
      join graphile_worker._private_tasks t on t.id = j.task_id where t.identifier = ${DELIVER_EMAIL_TASK}`,
  );
  return rows;
}

async function signUp(email: string, password = TEST_PASSWORD) {
  return t.agent().authPost("/sign-up/email", { name: "Mail Test", email, password });
}

async function outboxRow(id: string) {
  const [row] = await t.db.select().from(schema.emailOutbox).where(eq(schema.emailOutbox.id, id));
  return row;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("email delivery", () => {
  it("the worker sends a queued email over SMTP and marks it sent", async () => {
    expect((await signUp("deliver@example.com")).status).toBe(200);
    const queued = await latestEmail(t.db, "deliver@example.com", "verify-email");
    expect(queued).toMatchObject({ status: "queued", attempts: 0, sentAt: null });
    expect((await deliveryJobs()).map((j) => j.payload.outboxId)).toContain(queued.id);

    const worker = await startWorker({ env: { ...t.env, SMTP_URL: smtp.url }, database: t.database, logger: t.logger });
    try {
      const sent = await until(
        () => outboxRow(queued.id),
        (row) => row?.status !== "queued",
      );
      expect(sent).toMatchObject({ status: "sent", attempts: 1, lastError: null });
      expect(sent?.sentAt).toBeInstanceOf(Date);
    } finally {
      await worker.stop();
    }

    const mail = smtp.received.filter((m) => m.to.includes("deliver@example.com"));
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({
      to: ["deliver@example.com"],
      from: "no-reply@lectern.local",
      subject: "Confirm your email for Lectern",
    });
    expect(mail[0]?.raw).toContain("/verify-email?token=");
    // The finished job is removed from the queue.
    expect(await until(deliveryJobs, (jobs) => jobs.length === 0)).toEqual([]);
  });

  it("does not send again when a job for an already-sent email runs (a retry after a crash)", async () => {
    const sent = await latestEmail(t.db, "deliver@example.com", "verify-email");
    expect(sent.status).toBe("sent");
    const count = smtp.received.length;
    await addJob(t.db, DELIVER_EMAIL_TASK, { outboxId: sent.id });
    await runJobsOnce(smtp.url);
    expect(smtp.received).toHaveLength(count);
    expect(await outboxRow(sent.id)).toMatchObject({ status: "sent", attempts: 1 });
  });

  it("without SMTP_URL keeps the email in the outbox, marked logged", async () => {
    expect((await signUp("no-smtp@example.com")).status).toBe(200);
    const queued = await latestEmail(t.db, "no-smtp@example.com", "verify-email");
    const count = smtp.received.length;
    await runJobsOnce(undefined);
    const row = await outboxRow(queued.id);
    expect(row).toMatchObject({ status: "logged", attempts: 1, lastError: null });
    expect(row?.sentAt).toBeInstanceOf(Date);
    expect(smtp.received).toHaveLength(count);
  });

  it("a refused delivery leaves the email queued with the error, to be retried later", async () => {
    expect((await signUp("bounce@example.com")).status).toBe(200);
    const queued = await latestEmail(t.db, "bounce@example.com", "verify-email");
    await runJobsOnce(smtp.url);

    const row = await outboxRow(queued.id);
    expect(row).toMatchObject({ status: "queued", attempts: 1, sentAt: null });
    expect(row?.lastError).toMatch(/550|does not exist/);
    // graphile-worker records the job's failure just after the run returns.
    const [job] = await until(
      async () => (await deliveryJobs()).filter((j) => j.payload.outboxId === queued.id),
      ([j]) => Boolean(j?.last_error),
    );
    expect(job).toMatchObject({ attempts: 1, last_error: expect.stringMatching(/550|does not exist/) });
    expect(smtp.received.some((m) => m.to.includes("bounce@example.com"))).toBe(false);

    // On the job's last attempt the outbox gives up on it.
    await t.db.execute(sql`update graphile_worker._private_jobs
      set attempts = max_attempts - 1, run_at = now() where payload->>'outboxId' = ${queued.id}`);
    await runJobsOnce(smtp.url);
    expect(await outboxRow(queued.id)).toMatchObject({ status: "failed", attempts: 2 });
    // That attempt completes the job (the outbox keeps the failure); its row goes just after the run,
    // and must be gone before the next test counts the jobs.
    expect(
      await until(
        async () => (await deliveryJobs()).filter((j) => j.payload.outboxId === queued.id),
        (jobs) => jobs.length === 0,
      ),
    ).toEqual([]);
  });
});

describe("enqueueing an email", () => {
  it("happens only when the change that causes it commits", async () => {
    const rowsBefore = (await t.db.select().from(schema.emailOutbox)).length;
    const jobsBefore = (await deliveryJobs()).length;

    // A failed sign-up (too-short password) writes no email.
    expect((await signUp("short@example.com", "short")).status).toBe(400);
    // Signing up again with a taken address creates no user and sends no second link.
    expect((await signUp("no-smtp@example.com")).status).toBe(200);
    // A transaction that rolls back takes its email and job with it.
    await expect(
      t.db.transaction(async (tx) => {
        await enqueueEmail(tx, { email: "rolled-back@example.com" }, { template: "password-changed", name: "R" });
        throw new Error("something later in the transaction failed");
      }),
    ).rejects.toThrow("something later");

    expect(await t.db.select().from(schema.emailOutbox)).toHaveLength(rowsBefore);
    expect(await deliveryJobs()).toHaveLength(jobsBefore);

    // The same call in a transaction that commits leaves one row and one job pointing at it.
    const id = await t.db.transaction((tx) =>
      enqueueEmail(tx, { email: "committed@example.com", locale: "ar" }, { template: "password-changed", name: "C" }),
    );
    expect(await outboxRow(id)).toMatchObject({
      toAddress: "committed@example.com",
      status: "queued",
      subject: "تم تغيير كلمة مرور ليكترن",
    });
    expect((await deliveryJobs()).filter((j) => j.payload.outboxId === id)).toHaveLength(1);
  });
});
