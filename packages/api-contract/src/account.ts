import { z } from "zod";
import { LOCALES, ROLES } from "./values.ts";

export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export const Locale = z.enum(LOCALES);
export type Locale = z.infer<typeof Locale>;

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
export const NAME_MAX = 100;

/** An IANA time zone name this runtime knows ("Europe/London", "Africa/Lagos", "UTC"). */
export const TimeZone = z
  .string()
  .min(1)
  .refine(
    (tz) => {
      try {
        new Intl.DateTimeFormat("en", { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    },
    { message: "Unknown time zone" },
  );

export const Name = z.string().trim().min(1, "Required").max(NAME_MAX);
/** A profile picture's address: https only (it is rendered in other people's pages), bounded. */
export const IMAGE_URL_MAX = 2048;
export const ImageUrl = z.url({ protocol: /^https$/ }).max(IMAGE_URL_MAX);
export const Email = z.email().trim().toLowerCase().max(254);
export const Password = z.string().min(PASSWORD_MIN).max(PASSWORD_MAX);

export const SignUpInput = z.object({ name: Name, email: Email, password: Password });
export const SignInInput = z.object({ email: Email, password: z.string().min(1, "Required") });
export const ForgotPasswordInput = z.object({ email: Email });
export const ResetPasswordInput = z
  .object({ password: Password, confirm: z.string() })
  .refine((v) => v.password === v.confirm, { message: "Passwords do not match", path: ["confirm"] });
export const ChangePasswordInput = z
  .object({ currentPassword: z.string().min(1, "Required"), newPassword: Password, confirm: z.string() })
  .refine((v) => v.newPassword === v.confirm, { message: "Passwords do not match", path: ["confirm"] });

export const UpdateProfileInput = z.object({ name: Name, timezone: TimeZone, locale: Locale });
export type UpdateProfileInput = z.infer<typeof UpdateProfileInput>;

/** One of the user's own signed-in sessions (a browser, an app or a script's token), by its id. */
export const RevokeTokenInput = z.object({ id: z.string().min(1).max(64) });
export type RevokeTokenInput = z.infer<typeof RevokeTokenInput>;
