import type { Locale } from "@lectern/api-contract";

export type EmailTemplate =
  | { template: "verify-email"; name: string; url: string }
  | { template: "reset-password"; name: string; url: string }
  | { template: "password-changed"; name: string }
  /** `when` is already formatted in the recipient's time zone and language. */
  | { template: "session-reminder"; name: string; withName: string; when: string; minutesBefore: number; url?: string }
  | { template: "session-cancelled"; name: string; withName: string; when: string };

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
    "session-cancelled": {
      subject: (e) => `Your session with ${e.withName} was cancelled`,
      greeting: (n) => `Hello ${n},`,
      body: (e) => `Your Lectern session with ${e.withName} on ${e.when} was cancelled.`,
    },
  },
  ar: {
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
    "session-cancelled": {
      subject: (e) => `أُلغيت جلستك مع ${e.withName}`,
      greeting: (n) => `مرحبًا ${n}،`,
      body: (e) => `أُلغيت جلستك في ليكترن مع ${e.withName} المقررة في ${e.when}.`,
    },
  },
};

export function renderEmail(locale: Locale, email: EmailTemplate): RenderedEmail {
  const copy = COPY[locale][email.template] as Copy;
  const subject = typeof copy.subject === "function" ? copy.subject(email) : copy.subject;
  const body = typeof copy.body === "function" ? copy.body(email) : copy.body;
  const url = "url" in email ? email.url : undefined;
  const dir = locale === "ar" ? "rtl" : "ltr";
  const text = [copy.greeting(email.name), "", body, ...(url ? ["", url] : [])].join("\n");
  const html = `<div dir="${dir}" style="font-family:sans-serif;line-height:1.5">
<p>${escapeHtml(copy.greeting(email.name))}</p><p>${escapeHtml(body)}</p>${
    url && copy.action ? `<p><a href="${escapeHtml(url)}">${escapeHtml(copy.action)}</a></p>` : ""
  }</div>`;
  return { subject, text, html };
}
