import { AdminCreateSessionInput, type SessionLength, TUTORING_POLICY } from "@lectern/api-contract";
import {
  Anchor,
  Button,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useForm } from "@mantine/form";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router";
import { showSessionError } from "../components/sessions/errors.ts";
import { sessionResolver, useLengthOptions } from "../components/sessions/form.ts";
import { StartsAtPicker } from "../components/sessions/StartsAtPicker.tsx";
import { fromWallClock } from "../components/sessions/time.ts";
import { UserPicker } from "../components/sessions/UserPicker.tsx";
import { notifySuccess } from "../lib/errors.ts";
import { useFormat } from "../lib/format.ts";
import { usePageTitle } from "../lib/title.ts";
import { trpc } from "../lib/trpc.ts";

interface Values {
  learnerId: string | null;
  teacherId: string | null;
  /** wall-clock time in the admin's zone, as the picker holds it */
  startsAt: string | null;
  durationMinutes: number | null;
  meetingUrl: string;
  notes: string;
  overrideCredit: boolean;
  reason: string;
}

/** The form's values as the contract's input; empty fields are left out for the schema to judge. */
const toInput = (values: Values, timeZone: string | undefined) => ({
  learnerId: values.learnerId ?? undefined,
  teacherId: values.teacherId ?? undefined,
  startsAt: values.startsAt ? fromWallClock(values.startsAt, timeZone) : undefined,
  durationMinutes: values.durationMinutes ?? undefined,
  meetingUrl: values.meetingUrl.trim() || undefined,
  notes: values.notes.trim() || undefined,
  overrideCredit: values.overrideCredit,
  reason: values.overrideCredit ? values.reason : undefined,
});

/** Books a session for a learner with a teacher, with the learner's credit or, with a reason, without. */
export function NewSessionPage() {
  const { t } = useTranslation();
  usePageTitle(t("sessions.newTitle"));
  const format = useFormat();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const utils = trpc.useUtils();
  const lengths = useLengthOptions();
  const form = useForm<Values>({
    initialValues: {
      learnerId: params.get("learner"),
      teacherId: params.get("teacher"),
      startsAt: null,
      durationMinutes: TUTORING_POLICY.defaultSessionMinutes,
      meetingUrl: "",
      notes: "",
      overrideCredit: false,
      reason: "",
    },
    validate: (values) => {
      const errors = sessionResolver(AdminCreateSessionInput, t)(toInput(values, format.timeZone));
      // The schema asks for the reason only once the rest parses; say so together with the other fields.
      if (values.overrideCredit && !values.reason.trim() && !errors.reason)
        errors.reason = t("sessions.reasonRequired");
      return errors;
    },
  });
  const learnerId = form.values.learnerId;
  const credits = trpc.admin.credits.forLearner.useQuery(
    { learnerId: learnerId ?? "", page: 1, pageSize: 1 },
    { enabled: Boolean(learnerId) },
  );
  const durationMinutes = form.values.durationMinutes;
  // What the booking will take from the learner, priced by the server, shown before creating it.
  const cost = trpc.admin.sessions.cost.useQuery(
    { learnerId: learnerId ?? "", durationMinutes: (durationMinutes ?? 0) as SessionLength },
    { enabled: Boolean(learnerId && durationMinutes) && !form.values.overrideCredit },
  );
  const create = trpc.admin.sessions.create.useMutation({
    onSuccess: (session) => {
      utils.admin.sessions.get.setData({ sessionId: session.id }, session);
      void utils.admin.sessions.list.invalidate();
      void utils.admin.credits.forLearner.invalidate({ learnerId: session.learner.id });
      void utils.admin.audit.list.invalidate();
      notifySuccess(t("sessions.created", { learner: session.learner.name, teacher: session.teacher.name }));
      navigate(`/sessions/${session.id}`);
    },
    onError: (error) => showSessionError(error, form),
  });

  const available = learnerId && credits.data ? credits.data.balance.totalAvailable : null;
  return (
    <Stack maw={720}>
      <Anchor component={Link} to="/sessions" size="sm">
        {t("sessions.back")}
      </Anchor>
      <div>
        <Title order={1} size="h2">
          {t("sessions.newTitle")}
        </Title>
        <Text c="dimmed" size="sm">
          {t("sessions.newIntro")}
        </Text>
      </div>
      <Paper withBorder p="md">
        <form
          noValidate
          onSubmit={form.onSubmit((values) =>
            create.mutate(AdminCreateSessionInput.parse(toInput(values, format.timeZone))),
          )}
        >
          <Stack>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <UserPicker
                userRole="learner"
                activeOnly
                label={t("sessions.learner")}
                required
                description={
                  available === null ? undefined : t("sessions.creditsAvailable", { credits: format.number(available) })
                }
                {...form.getInputProps("learnerId")}
              />
              <UserPicker
                userRole="teacher"
                activeOnly
                label={t("sessions.teacher")}
                required
                {...form.getInputProps("teacherId")}
              />
            </SimpleGrid>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <StartsAtPicker label={t("sessions.startsAt")} required {...form.getInputProps("startsAt")} />
              <Select<number>
                label={t("sessions.sessionLength")}
                required
                data={lengths}
                allowDeselect={false}
                {...form.getInputProps("durationMinutes")}
              />
            </SimpleGrid>
            {cost.data && !form.values.overrideCredit && (
              <Text size="sm" fw={500} c={cost.data.canAfford ? undefined : "orange.8"} role="status">
                {!cost.data.canAfford
                  ? t("sessions.costNotEnough")
                  : cost.data.credits === 1
                    ? t("sessions.costOne", {
                        duration: t("common.minutes", { minutes: format.number(cost.data.creditMinutes) }),
                      })
                    : t("sessions.costMany", {
                        cost: format.number(cost.data.credits),
                        duration: t("common.minutes", { minutes: format.number(cost.data.creditMinutes) }),
                      })}
              </Text>
            )}
            <Text size="sm" c="dimmed">
              {t("sessions.anyTimeNote")}
            </Text>
            <TextInput
              type="url"
              dir="ltr"
              label={t("sessions.meetingLink")}
              description={t("sessions.meetingLinkHint")}
              placeholder="https://"
              maxLength={500}
              {...form.getInputProps("meetingUrl")}
            />
            <Textarea
              dir="auto"
              label={t("sessions.notes")}
              description={t("sessions.notesHint")}
              autosize
              minRows={2}
              maxLength={4000}
              {...form.getInputProps("notes")}
            />
            <Switch
              label={t("sessions.override")}
              description={t("sessions.overrideHint")}
              {...form.getInputProps("overrideCredit", { type: "checkbox" })}
            />
            {form.values.overrideCredit && (
              <Textarea
                dir="auto"
                label={t("sessions.reason")}
                required
                autosize
                minRows={2}
                maxLength={500}
                {...form.getInputProps("reason")}
              />
            )}
            <Group justify="flex-end">
              <Button variant="default" component={Link} to="/sessions">
                {t("common.cancel")}
              </Button>
              <Button type="submit" loading={create.isPending}>
                {t("sessions.create")}
              </Button>
            </Group>
          </Stack>
        </form>
      </Paper>
    </Stack>
  );
}
