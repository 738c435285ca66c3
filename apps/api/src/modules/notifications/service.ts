import type { ListOutboxInput, Locale } from "@lectern/api-contract";
import type { DbOrTx } from "@lectern/db";
import { containsPattern, plainRow, runStatement, type Statement, schema } from "@lectern/db";
import { and, count, desc, ilike, lt } from "drizzle-orm";
import { addJobs } from "../../jobs/queue.ts";
import type { Logger } from "../../logger.ts";
import type { EmailProvider } from "./providers.ts";
import { type EmailTemplate, isSecretTemplate, renderEmail } from "./templates.ts";

export const DELIVER_EMAIL_TASK = "email.deliver";
export const PURGE_OUTBOX_TASK = "email.purgeOutbox";
const MAX_ATTEMPTS = 8;

export interface EnqueueOptions {
  /**
   * Whether email is really delivered (SMTP_URL set); required for secret-bearing templates.
   * With SMTP the outbox keeps a redacted copy and the real text rides only in the delivery job's
   * payload, which graphile-worker deletes when the job ends. Without SMTP (local mode) the outbox
   * is the only inbox, so it keeps the link readable.
   */
  smtp?: boolean;
  /** A calendar invitation (text/calendar), kept with the row and attached when sent. */
  ics?: string;
}

/** The real bodies of a redacted email, carried by its job. */
export interface SecretBodies {
  text: string;
  html: string;
}

/** Writes the email to the outbox and enqueues its delivery, both in the caller's transaction. */
export async function enqueueEmail(
  tx: DbOrTx,
  recipient: Recipient,
  email: EmailTemplate,
  options: EnqueueOptions = {},
): Promise<string> {
  const [id] = await enqueueEmails(tx, [{ recipient, email, options }]);
  return id as string;
}

type Recipient = { userId?: string | null; email: string; locale?: string | null };

/**
 * Several emails at once (e.g. both people told of a session change): one outbox insert and one
 * statement adding their delivery jobs, in the caller's transaction.
 */
export async function enqueueEmails(
  tx: DbOrTx,
  emails: { recipient: Recipient; email: EmailTemplate; options?: EnqueueOptions }[],
): Promise<string[]> {
  const prepared = emails.map(({ recipient, email, options = {} }) => {
    const locale: Locale = recipient.locale === "ar" ? "ar" : "en";
    const secret = isSecretTemplate(email.template);
    if (secret && options.smtp === undefined) throw new Error(`${email.template} needs to know whether SMTP is set`);
    const redact = secret && options.smtp === true;
    const rendered = renderEmail(locale, email);
    const stored = redact ? renderEmail(locale, email, { redact }) : rendered;
    return {
      row: {
        // Chosen here, so each delivery job is paired with its row whatever order the insert returns.
        id: crypto.randomUUID(),
        userId: recipient.userId ?? null,
        toAddress: recipient.email,
        template: email.template,
        subject: stored.subject,
        textBody: stored.text,
        htmlBody: stored.html,
        redacted: redact,
        ics: options.ics ?? null,
      },
      secret: redact ? { text: rendered.text, html: rendered.html } : null,
    };
  });
  if (prepared.length === 0) return [];
  await runStatement(
    tx,
    insertOutboxStatement(prepared.length),
    prepared.flatMap(({ row: r }) => [
      r.id,
      r.userId,
      r.toAddress,
      r.template,
      r.subject,
      r.textBody,
      r.htmlBody,
      r.redacted,
      r.ics,
    ]),
  );
  await addJobs(
    tx,
    prepared.map(({ row: { id }, secret }) => ({
      task: DELIVER_EMAIL_TASK,
      payload: secret ? { outboxId: id, secret } : { outboxId: id },
      maxAttempts: MAX_ATTEMPTS,
    })),
  );
  return prepared.map((p) => p.row.id);
}

// Every email is written once and sent once: named statements (one insert per number of rows).
const OUTBOX_COLUMNS = 9;
const insertOutboxStatements = new Map<number, Statement>();
function insertOutboxStatement(rows: number): Statement {
  let statement = insertOutboxStatements.get(rows);
  if (!statement) {
    const values = Array.from(
      { length: rows },
      (_, r) => `(${Array.from({ length: OUTBOX_COLUMNS }, (_, c) => `$${r * OUTBOX_COLUMNS + c + 1}`).join(", ")})`,
    );
    statement = {
      name: `email_outbox_insert_${rows}`,
      text: `insert into email_outbox (id, user_id, to_address, template, subject, text_body, html_body, redacted, ics)
    values ${values.join(", ")}`,
    };
    insertOutboxStatements.set(rows, statement);
  }
  return statement;
}

const OUTBOX_ROW = plainRow(schema.emailOutbox);
const OUTBOX_EMAIL = {
  name: "email_outbox_by_id",
  text: `select ${OUTBOX_ROW.columns} from email_outbox where id = $1`,
};
/** An attempt's outcome: $2 status, $3 attempts, $4 last error, $5 sent at (null: unchanged). */
const RECORD_ATTEMPT = {
  name: "email_outbox_attempt",
  text: `update email_outbox set status = $2, attempts = $3, last_error = $4, sent_at = coalesce($5, sent_at)
    where id = $1`,
};

/** The job body: send one outbox email through the provider and record the outcome. */
export async function deliverEmail(
  db: DbOrTx,
  provider: EmailProvider,
  logger: Logger,
  outboxId: string,
  attempt: { number: number; max: number },
  secret?: SecretBodies,
): Promise<void> {
  const email = await OUTBOX_ROW.first(db, OUTBOX_EMAIL, [outboxId]);
  if (email?.status !== "queued") return; // already handled: a retry must not resend
  const record = (status: EmailStatus, lastError: string | null, sentAt: Date | null = null) =>
    runStatement(db, RECORD_ATTEMPT, [outboxId, status, email.attempts + 1, lastError, sentAt]);
  if (email.redacted && (!secret || provider.kind !== "smtp")) {
    // The real link lives only in the job (gone if re-added by hand) and only SMTP may carry it.
    const lastError = secret ? "redacted email needs SMTP to be delivered" : "redacted email without its content";
    await record("failed", lastError);
    logger.warn({ outboxId }, lastError);
    return;
  }
  try {
    const status = await provider.send({
      to: email.toAddress,
      subject: email.subject,
      text: secret?.text ?? email.textBody,
      html: secret?.html ?? email.htmlBody,
      ...(email.ics ? { ics: email.ics } : {}),
    });
    await record(status, null, new Date());
  } catch (error) {
    const finalAttempt = attempt.number >= attempt.max;
    await record(finalAttempt ? "failed" : "queued", error instanceof Error ? error.message : String(error));
    logger.warn({ err: error, outboxId, attempt: attempt.number }, "email delivery failed");
    // The outbox row records the failure; ending the job on its last attempt (instead of leaving
    // a permanently failed job) also drops the secret a redacted email's payload carries.
    if (!finalAttempt) throw error;
  }
}

type EmailStatus = (typeof schema.emailOutbox.$inferSelect)["status"];

/** Deletes outbox rows older than the retention period (a daily job). */
export async function purgeOutbox(db: DbOrTx, retentionDays: number, now = new Date()) {
  const cutoff = new Date(now.getTime() - retentionDays * 24 * 60 * 60 * 1000);
  const deleted = await db
    .delete(schema.emailOutbox)
    .where(lt(schema.emailOutbox.createdAt, cutoff))
    .returning({ id: schema.emailOutbox.id });
  return { deleted: deleted.length };
}

/** What the console shows instead of the body of a secret-bearing email meant for another admin. */
const WITHHELD_FOR_ADMIN =
  "[This email carries a sign-in or password link for an admin account. It is shown only to that admin.]";

/**
 * The outbox as the console lists it. Even where links are kept readable (no SMTP: local use), the
 * secret links of emails to the admins in `withholdSecretsFor` are withheld, so no admin can reset
 * another admin's password and read the link here.
 */
export async function listOutbox(
  db: DbOrTx,
  input: ListOutboxInput,
  withholdSecretsFor: ReadonlySet<string> = new Set(),
) {
  const where = input.to ? ilike(schema.emailOutbox.toAddress, containsPattern(input.to)) : undefined;
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(schema.emailOutbox)
      .where(and(where))
      .orderBy(desc(schema.emailOutbox.createdAt))
      .limit(input.pageSize)
      .offset((input.page - 1) * input.pageSize),
    db.select({ value: count() }).from(schema.emailOutbox).where(and(where)),
  ]);
  const items = rows.map((row) =>
    row.userId && withholdSecretsFor.has(row.userId) && isSecretTemplate(row.template as EmailTemplate["template"])
      ? { ...row, textBody: WITHHELD_FOR_ADMIN, htmlBody: `<p>${WITHHELD_FOR_ADMIN}</p>`, redacted: true }
      : row,
  );
  return { items, total: total?.value ?? 0, page: input.page, pageSize: input.pageSize };
}
