import type { Env } from "@lectern/config";
import nodemailer from "nodemailer";
import type { Logger } from "../../logger.ts";

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** A calendar invitation (text/calendar), attached. */
  ics?: string;
}

/** Where emails go: a real SMTP server, or nowhere but the outbox table and the log. */
export interface EmailProvider {
  readonly kind: "smtp" | "outbox";
  /** Resolves with the outbox status the email ends in; throws to let the job retry. */
  send(email: OutgoingEmail): Promise<"sent" | "logged">;
}

export function createEmailProvider(env: Pick<Env, "SMTP_URL" | "EMAIL_FROM">, logger: Logger): EmailProvider {
  if (env.SMTP_URL) {
    const transport = nodemailer.createTransport(env.SMTP_URL);
    return {
      kind: "smtp",
      async send({ ics, ...email }) {
        // METHOD (REQUEST / CANCEL) tells the mail client whether to add or remove the event.
        const method = ics?.match(/^METHOD:(\w+)/m)?.[1] ?? "PUBLISH";
        await transport.sendMail({
          from: env.EMAIL_FROM,
          ...email,
          ...(ics ? { icalEvent: { method, filename: "session.ics", content: ics } } : {}),
        });
        return "sent";
      },
    };
  }
  return {
    kind: "outbox",
    async send(email) {
      logger.info({ to: email.to, subject: email.subject }, "email kept in outbox (SMTP_URL not set)");
      return "logged";
    },
  };
}
