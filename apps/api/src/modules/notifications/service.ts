import type { ListOutboxInput, Locale } from "@lectern/api-contract";
import type { DbOrTx } from "@lectern/db";
import { containsPattern, schema } from "@lectern/db";
import { and, count, desc, eq, ilike } from "drizzle-orm";
import { addJob } from "../../jobs/queue.ts";
import type { Logger } from "../../logger.ts";
import type { EmailProvider } from "./providers.ts";
import { type EmailTemplate, renderEmail } from "./templates.ts";

export const DELIVER_EMAIL_TASK = "email.deliver";
const MAX_ATTEMPTS = 8;

/** Writes the email to the outbox and enqueues its delivery, both in the caller's transaction. */
export async function enqueueEmail(
  tx: DbOrTx,
  recipient: { userId?: string | null; email: string; locale?: string | null },
  email: EmailTemplate,
): Promise<string> {
  const locale: Locale = recipient.locale === "ar" ? "ar" : "en";
  const rendered = renderEmail(locale, email);
  const [row] = await tx
    .insert(schema.emailOutbox)
    .values({
      userId: recipient.userId ?? null,
      toAddress: recipient.email,
      template: email.template,
      subject: rendered.subject,
      textBody: rendered.text,
      htmlBody: rendered.html,
    })
    .returning({ id: schema.emailOutbox.id });
  if (!row) throw new Error("outbox insert returned nothing");
  await addJob(tx, DELIVER_EMAIL_TASK, { outboxId: row.id }, { maxAttempts: MAX_ATTEMPTS });
  return row.id;
}

/** The job body: send one outbox email through the provider and record the outcome. */
export async function deliverEmail(
  db: DbOrTx,
  provider: EmailProvider,
  logger: Logger,
  outboxId: string,
  attempt: { number: number; max: number },
): Promise<void> {
  const email = await db.query.emailOutbox.findFirst({ where: eq(schema.emailOutbox.id, outboxId) });
  if (email?.status !== "queued") return; // already handled: a retry must not resend
  try {
    const status = await provider.send({
      to: email.toAddress,
      subject: email.subject,
      text: email.textBody,
      html: email.htmlBody,
    });
    await db
      .update(schema.emailOutbox)
      .set({ status, attempts: email.attempts + 1, sentAt: new Date(), lastError: null })
      .where(eq(schema.emailOutbox.id, outboxId));
  } catch (error) {
    const finalAttempt = attempt.number >= attempt.max;
    await db
      .update(schema.emailOutbox)
      .set({
        attempts: email.attempts + 1,
        lastError: error instanceof Error ? error.message : String(error),
        status: finalAttempt ? "failed" : "queued",
      })
      .where(eq(schema.emailOutbox.id, outboxId));
    logger.warn({ err: error, outboxId, attempt: attempt.number }, "email delivery failed");
    throw error;
  }
}

export async function listOutbox(db: DbOrTx, input: ListOutboxInput) {
  const where = input.to ? ilike(schema.emailOutbox.toAddress, containsPattern(input.to)) : undefined;
  const [items, [total]] = await Promise.all([
    db
      .select()
      .from(schema.emailOutbox)
      .where(and(where))
      .orderBy(desc(schema.emailOutbox.createdAt))
      .limit(input.pageSize)
      .offset((input.page - 1) * input.pageSize),
    db.select({ value: count() }).from(schema.emailOutbox).where(and(where)),
  ]);
  return { items, total: total?.value ?? 0, page: input.page, pageSize: input.pageSize };
}
