import type { Locale } from "@lectern/api-contract";

export type EmailTemplate =
  | { template: "verify-email"; name: string; url: string }
  | { template: "reset-password"; name: string; url: string }
  | { template: "password-changed"; name: string };

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

type Copy = { subject: string; greeting: (name: string) => string; body: string; action?: string };

const COPY: Record<Locale, Record<EmailTemplate["template"], Copy>> = {
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
  },
};

export function renderEmail(locale: Locale, email: EmailTemplate): RenderedEmail {
  const copy = COPY[locale][email.template];
  const url = "url" in email ? email.url : undefined;
  const dir = locale === "ar" ? "rtl" : "ltr";
  const text = [copy.greeting(email.name), "", copy.body, ...(url ? ["", url] : [])].join("\n");
  const html = `<div dir="${dir}" style="font-family:sans-serif;line-height:1.5">
<p>${escapeHtml(copy.greeting(email.name))}</p><p>${escapeHtml(copy.body)}</p>${
    url && copy.action ? `<p><a href="${escapeHtml(url)}">${escapeHtml(copy.action)}</a></p>` : ""
  }</div>`;
  return { subject: copy.subject, text, html };
}
