import { Email } from "@lectern/api-contract";
import { Alert, Button, Stack, TextInput } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { authCall } from "../lib/errors";
import { useSchemaForm, useSubmit } from "../lib/forms";
import { FailureAlert } from "./Status";

const ResendInput = z.object({ email: Email });

/** Sends a fresh verification link: to a known address, or to one the person types in. */
export function ResendVerification({ email }: { email?: string }) {
  const { t } = useTranslation();
  const [sentTo, setSentTo] = useState<string | null>(null);
  const form = useSchemaForm(ResendInput, { email: email ?? "" });
  const { onSubmit, failure } = useSubmit(form, async (values) => {
    const to = email ?? values.email;
    const { authClient } = await import("../lib/auth-client");
    await authCall(authClient.sendVerificationEmail({ email: to }));
    setSentTo(to);
  });

  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack gap="sm" align="stretch">
        {email === undefined && (
          <TextInput label={t("fields.email")} type="email" autoComplete="email" {...form.getInputProps("email")} />
        )}
        <Button type="submit" variant="light" loading={form.submitting}>
          {t("checkEmail.resend")}
        </Button>
        {sentTo && (
          <Alert color="teal" role="status">
            {t("checkEmail.resent", { email: sentTo })}
          </Alert>
        )}
        <FailureAlert message={failure?.message} />
      </Stack>
    </form>
  );
}
