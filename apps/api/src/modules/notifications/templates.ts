import type { Locale } from "@lectern/api-contract";

export type EmailTemplate =
  /** a paid order's receipt; amounts and the date already formatted in the buyer's language */
  | {
      template: "payment-receipt";
      name: string;
      receiptNumber: string;
      description: string;
      amount: string;
      /** "VAT (included): 1.67 USD" when a tax label is set */
      taxLine: string | null;
      paidOn: string;
      provider: string;
      providerRef: string;
      url?: string;
    }
  | { template: "verify-email"; name: string; url: string }
  | { template: "reset-password"; name: string; url: string }
  | { template: "password-changed"; name: string }
  /** `when` is already formatted in the recipient's time zone and language. */
  | { template: "session-reminder"; name: string; withName: string; when: string; minutesBefore: number; url?: string }
  | { template: "session-booked"; name: string; withName: string; when: string; url?: string }
  | { template: "session-rescheduled"; name: string; withName: string; when: string; previousWhen: string }
  | { template: "session-cancelled"; name: string; withName: string; when: string }
  /** session lifecycle: no-shows, disputes, reversals */
  | { template: "session-learner-absent"; name: string; withName: string; when: string }
  | { template: "session-teacher-absent-reported"; name: string; withName: string; when: string }
  | {
      template: "session-dispute-resolved";
      name: string;
      withName: string;
      when: string;
      resolution: "refund" | "complete";
      note: string;
    }
  | { template: "session-reversed"; name: string; withName: string; when: string; reason: string }
  /** withdrawals: `amount` is already formatted with its currency; `code` is a secret */
  | { template: "withdrawal-code"; name: string; amount: string; code: string; minutes: number }
  | { template: "withdrawal-paid"; name: string; amount: string; reference: string }
  | { template: "withdrawal-failed"; name: string; amount: string; reason: string };

/** Templates whose link is a secret (a token that signs in or sets a password). */
export const SECRET_TEMPLATES = ["verify-email", "reset-password", "withdrawal-code"] as const;
export const isSecretTemplate = (t: EmailTemplate["template"]) => (SECRET_TEMPLATES as readonly string[]).includes(t);

/** What the stored copy shows instead of a one-time code when the real one goes out by SMTP. */
export const REDACTED_CODE: Record<Locale, string> = {
  en: "[code sent by email]",
  ar: "[أُرسل الرمز بالبريد الإلكتروني]",
};

/** What the stored copy shows instead of a secret link when the real one goes out by SMTP. */
export const REDACTED_LINK: Record<Locale, string> = {
  en: "[link sent by email]",
  ar: "[أُرسل الرابط بالبريد الإلكتروني]",
};

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

type Copy<E extends EmailTemplate = EmailTemplate> = {
  subject: string | ((email: E) => string);
  greeting: (name: string) => string;
  body: string | ((email: E) => string);
  action?: string;
};

type Copies = { [K in EmailTemplate["template"]]: Copy<Extract<EmailTemplate, { template: K }>> };

/** "in 24 hours", "in 1 hour", "in 30 minutes". */
const inTimeEn = (minutes: number) =>
  minutes % 60 === 0
    ? `in ${minutes / 60} hour${minutes === 60 ? "" : "s"}`
    : `in ${minutes} minute${minutes === 1 ? "" : "s"}`;
const inTimeAr = (minutes: number) =>
  minutes === 60 ? "خلال ساعة" : minutes % 60 === 0 ? `خلال ${minutes / 60} ساعة` : `خلال ${minutes} دقيقة`;

const COPY: Record<Locale, Copies> = {
  en: {
    "payment-receipt": {
      subject: (e) => `Your Lectern receipt ${e.receiptNumber}`,
      greeting: (n) => `Hello ${n},`,
      body: (e) =>
        `Thank you for your purchase. Receipt ${e.receiptNumber}: ${e.description}, ${e.amount}, paid on ${e.paidOn}.${
          e.taxLine ? ` ${e.taxLine}.` : ""
        } Payment reference (${e.provider}): ${e.providerRef}.`,
      action: "View your receipt",
    },
    "verify-email": {
      subject: "Confirm your email for Lectern",
      greeting: (n) => `Hello ${n},`,
      body: "Please confirm your email address to finish creating your Lectern account. The link expires in 24 hours.",
      action: "Confirm email",
    },
    "reset-password": {
      subject: "Reset your Lectern password",
      greeting: (n) => `Hello ${n},`,
      body: "Someone asked to reset the password of your Lectern account. If it was you, use the link below within one hour. If not, you can ignore this email.",
      action: "Choose a new password",
    },
    "password-changed": {
      subject: "Your Lectern password was changed",
      greeting: (n) => `Hello ${n},`,
      body: "Your password was just changed and your other sessions were signed out. If this wasn't you, reset your password now.",
    },
    "session-reminder": {
      subject: (e) => `Reminder: your session with ${e.withName} starts ${inTimeEn(e.minutesBefore)}`,
      greeting: (n) => `Hello ${n},`,
      body: (e) =>
        `Your Lectern session with ${e.withName} starts ${inTimeEn(e.minutesBefore)}, on ${e.when}.${
          e.url ? " Use the link below to join." : ""
        }`,
      action: "Join the session",
    },
    "session-booked": {
      subject: (e) => `Session booked with ${e.withName}`,
      greeting: (n) => `Hello ${n},`,
      body: (e) =>
        `Your Lectern session with ${e.withName} is booked for ${e.when}. The attached invitation adds it to your calendar.`,
      action: "Join the session",
    },
    "session-rescheduled": {
      subject: (e) => `Your session with ${e.withName} was moved`,
      greeting: (n) => `Hello ${n},`,
      body: (e) =>
        `Your Lectern session with ${e.withName} moved from ${e.previousWhen} to ${e.when}. The attached invitation updates your calendar.`,
    },
    "session-cancelled": {
      subject: (e) => `Your session with ${e.withName} was cancelled`,
      greeting: (n) => `Hello ${n},`,
      body: (e) => `Your Lectern session with ${e.withName} on ${e.when} was cancelled.`,
    },
    "session-learner-absent": {
      subject: (e) => `You were marked absent from your session with ${e.withName}`,
      greeting: (n) => `Hello ${n},`,
      body: (e) =>
        `${e.withName} marked you absent from your Lectern session on ${e.when}, so the session's credit was used. If you were there and your teacher was not, report it from the session page within 24 hours of its end.`,
    },
    "session-teacher-absent-reported": {
      subject: (e) => `${e.withName} reported that you missed your session`,
      greeting: (n) => `Hello ${n},`,
      body: (e) =>
        `${e.withName} reported that you did not come to your Lectern session on ${e.when}. An admin will look into it and decide; you will hear from us.`,
    },
    "session-dispute-resolved": {
      subject: (e) => `Decision on your session with ${e.withName}`,
      greeting: (n) => `Hello ${n},`,
      body: (e) =>
        `${
          e.resolution === "refund"
            ? `An admin reviewed the report about your Lectern session with ${e.withName} on ${e.when}: the learner's credit was returned and the session does not count.`
            : `An admin reviewed the report about your Lectern session with ${e.withName} on ${e.when}: the session counts as completed.`
        } Note: ${e.note}`,
    },
    "session-reversed": {
      subject: (e) => `Your session with ${e.withName} was reversed`,
      greeting: (n) => `Hello ${n},`,
      body: (e) =>
        `An admin reversed your completed Lectern session with ${e.withName} on ${e.when}: the learner's credit was returned and the teacher's pay for it was taken back. Reason: ${e.reason}`,
    },
    "withdrawal-code": {
      subject: "Your Lectern withdrawal code",
      greeting: (n) => `Hello ${n},`,
      body: (e) =>
        `To confirm your withdrawal of ${e.amount}, enter this code: ${e.code}. It expires in ${e.minutes} minutes. If you did not ask for this withdrawal, do not share the code and change your password.`,
    },
    "withdrawal-paid": {
      subject: (e) => `Your withdrawal of ${e.amount} was paid`,
      greeting: (n) => `Hello ${n},`,
      body: (e) => `Your withdrawal of ${e.amount} was paid out. Reference: ${e.reference}`,
    },
    "withdrawal-failed": {
      subject: (e) => `Your withdrawal of ${e.amount} did not go through`,
      greeting: (n) => `Hello ${n},`,
      body: (e) =>
        `Your withdrawal of ${e.amount} could not be paid, so the amount is back in your wallet. Reason: ${e.reason}`,
    },
  },
  ar: {
    "payment-receipt": {
      subject: (e) => `إيصالك من ليكترن ${e.receiptNumber}`,
      greeting: (n) => `مرحبًا ${n}،`,
      body: (e) =>
        `شكرًا لشرائك. الإيصال ${e.receiptNumber}: ${e.description}، ${e.amount}، دُفع في ${e.paidOn}.${
          e.taxLine ? ` ${e.taxLine}.` : ""
        } مرجع الدفع (${e.provider}): ${e.providerRef}.`,
      action: "عرض الإيصال",
    },
    "verify-email": {
      subject: "أكّد بريدك الإلكتروني في ليكترن",
      greeting: (n) => `مرحبًا ${n}،`,
      body: "يُرجى تأكيد بريدك الإلكتروني لإكمال إنشاء حسابك في ليكترن. تنتهي صلاحية الرابط خلال 24 ساعة.",
      action: "تأكيد البريد",
    },
    "reset-password": {
      subject: "إعادة تعيين كلمة مرور ليكترن",
      greeting: (n) => `مرحبًا ${n}،`,
      body: "طلب أحدهم إعادة تعيين كلمة مرور حسابك في ليكترن. إن كنت أنت، فاستخدم الرابط أدناه خلال ساعة. وإلا فتجاهل هذه الرسالة.",
      action: "اختر كلمة مرور جديدة",
    },
    "password-changed": {
      subject: "تم تغيير كلمة مرور ليكترن",
      greeting: (n) => `مرحبًا ${n}،`,
      body: "تم تغيير كلمة مرورك للتو وتسجيل خروج جلساتك الأخرى. إن لم تكن أنت، فأعد تعيين كلمة المرور الآن.",
    },
    "session-reminder": {
      subject: (e) => `تذكير: جلستك مع ${e.withName} تبدأ ${inTimeAr(e.minutesBefore)}`,
      greeting: (n) => `مرحبًا ${n}،`,
      body: (e) =>
        `تبدأ جلستك في ليكترن مع ${e.withName} ${inTimeAr(e.minutesBefore)}، في ${e.when}.${
          e.url ? " استخدم الرابط أدناه للانضمام." : ""
        }`,
      action: "انضم إلى الجلسة",
    },
    "session-booked": {
      subject: (e) => `تم حجز جلسة مع ${e.withName}`,
      greeting: (n) => `مرحبًا ${n}،`,
      body: (e) => `تم حجز جلستك في ليكترن مع ${e.withName} في ${e.when}. تضيفها الدعوة المرفقة إلى تقويمك.`,
      action: "انضم إلى الجلسة",
    },
    "session-rescheduled": {
      subject: (e) => `تم نقل جلستك مع ${e.withName}`,
      greeting: (n) => `مرحبًا ${n}،`,
      body: (e) =>
        `نُقلت جلستك في ليكترن مع ${e.withName} من ${e.previousWhen} إلى ${e.when}. تحدّث الدعوة المرفقة تقويمك.`,
    },
    "session-cancelled": {
      subject: (e) => `أُلغيت جلستك مع ${e.withName}`,
      greeting: (n) => `مرحبًا ${n}،`,
      body: (e) => `أُلغيت جلستك في ليكترن مع ${e.withName} المقررة في ${e.when}.`,
    },
    "session-learner-absent": {
      subject: (e) => `سُجّل غيابك عن جلستك مع ${e.withName}`,
      greeting: (n) => `مرحبًا ${n}،`,
      body: (e) =>
        `سجّل ${e.withName} غيابك عن جلستك في ليكترن في ${e.when}، لذا استُخدم رصيد الجلسة. إن كنت حاضرًا ولم يحضر المعلّم، فأبلغ عن ذلك من صفحة الجلسة خلال 24 ساعة من انتهائها.`,
    },
    "session-teacher-absent-reported": {
      subject: (e) => `أبلغ ${e.withName} أنك لم تحضر الجلسة`,
      greeting: (n) => `مرحبًا ${n}،`,
      body: (e) =>
        `أبلغ ${e.withName} أنك لم تحضر جلستك في ليكترن في ${e.when}. سيراجع أحد المسؤولين الأمر ويتخذ القرار، وسنبلغك به.`,
    },
    "session-dispute-resolved": {
      subject: (e) => `القرار بشأن جلستك مع ${e.withName}`,
      greeting: (n) => `مرحبًا ${n}،`,
      body: (e) =>
        `${
          e.resolution === "refund"
            ? `راجع أحد المسؤولين البلاغ عن جلستك في ليكترن مع ${e.withName} في ${e.when}: أُعيد رصيد المتعلّم ولا تُحتسب الجلسة.`
            : `راجع أحد المسؤولين البلاغ عن جلستك في ليكترن مع ${e.withName} في ${e.when}: تُحتسب الجلسة مكتملة.`
        } ملاحظة: ${e.note}`,
    },
    "session-reversed": {
      subject: (e) => `أُلغي احتساب جلستك مع ${e.withName}`,
      greeting: (n) => `مرحبًا ${n}،`,
      body: (e) =>
        `ألغى أحد المسؤولين احتساب جلستك المكتملة في ليكترن مع ${e.withName} في ${e.when}: أُعيد رصيد المتعلّم واستُرد أجر المعلّم عنها. السبب: ${e.reason}`,
    },
    "withdrawal-code": {
      subject: "رمز السحب في ليكترن",
      greeting: (n) => `مرحبًا ${n}،`,
      body: (e) =>
        `لتأكيد سحب ${e.amount}، أدخل هذا الرمز: ${e.code}. تنتهي صلاحيته خلال ${e.minutes} دقائق. إن لم تطلب هذا السحب، فلا تشارك الرمز وغيّر كلمة مرورك.`,
    },
    "withdrawal-paid": {
      subject: (e) => `تم دفع سحبك بقيمة ${e.amount}`,
      greeting: (n) => `مرحبًا ${n}،`,
      body: (e) => `تم دفع سحبك بقيمة ${e.amount}. المرجع: ${e.reference}`,
    },
    "withdrawal-failed": {
      subject: (e) => `تعذّر إتمام سحبك بقيمة ${e.amount}`,
      greeting: (n) => `مرحبًا ${n}،`,
      body: (e) => `تعذّر دفع سحبك بقيمة ${e.amount}، فأُعيد المبلغ إلى محفظتك. السبب: ${e.reason}`,
    },
  },
};

/** With `redact`, the link is replaced by a placeholder (the stored copy of a secret-bearing email). */
export function renderEmail(locale: Locale, email: EmailTemplate, options: { redact?: boolean } = {}): RenderedEmail {
  const copy = COPY[locale][email.template] as Copy;
  // A one-time code sits in the body: the stored copy shows a placeholder instead.
  if (options.redact && "code" in email) email = { ...email, code: REDACTED_CODE[locale] };
  const subject = typeof copy.subject === "function" ? copy.subject(email) : copy.subject;
  const body = typeof copy.body === "function" ? copy.body(email) : copy.body;
  const url = "url" in email ? email.url : undefined;
  const dir = locale === "ar" ? "rtl" : "ltr";
  const shown = url && options.redact ? REDACTED_LINK[locale] : url;
  const text = [copy.greeting(email.name), "", body, ...(shown ? ["", shown] : [])].join("\n");
  const link = !url
    ? ""
    : options.redact
      ? `<p>${escapeHtml(REDACTED_LINK[locale])}</p>`
      : copy.action
        ? `<p><a href="${escapeHtml(url)}">${escapeHtml(copy.action)}</a></p>`
        : "";
  const html = `<div dir="${dir}" style="font-family:sans-serif;line-height:1.5">
<p>${escapeHtml(copy.greeting(email.name))}</p><p>${escapeHtml(body)}</p>${link}</div>`;
  return { subject, text, html };
}
