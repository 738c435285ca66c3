import {
  CancelSessionInput,
  RateSessionInput,
  ReportTeacherAbsentInput,
  SessionIdInput,
  type SessionLength,
  SessionReportInput,
  SetMeetingUrlInput,
} from "@lectern/api-contract";
import {
  Alert,
  Anchor,
  Button,
  Card,
  DataList,
  Group,
  Input,
  Modal,
  Rating,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { type ReactNode, useEffect, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { PageHeading } from "../components/PageHeading";
import { FailureAlert, LoadError, PageLoader, SectionLoader } from "../components/Status";
import { JoinButton } from "../components/tutoring/JoinButton";
import { OnboardingSummary } from "../components/tutoring/OnboardingSummary";
import { CreditBadge, StatusBadge } from "../components/tutoring/SessionBadges";
import { SlotPicker } from "../components/tutoring/SlotPicker";
import { isNotFound, toFailure } from "../lib/errors";
import { useFormat } from "../lib/format";
import { useSchemaForm, useSubmit } from "../lib/forms";
import { useCurrentUser } from "../lib/session";
import { trpc } from "../lib/trpc";
import { otherParty, type SessionView, useNow, useTimeFormat } from "../lib/tutoring";
import { OptionalMeetingUrl } from "../lib/tutoring-forms";
import { NotFoundInApp } from "./NotFoundPage";

/** One session: details, Join, and what the viewer may do next (move, cancel, report, rate). */
export function SessionPage() {
  const { id = "" } = useParams();
  // A malformed id is not asked for: no session can have it.
  const wellFormed = SessionIdInput.safeParse({ sessionId: id }).success;
  const session = trpc.tutoring.sessions.get.useQuery({ sessionId: id }, { enabled: wellFormed });
  if (!wellFormed || (session.isError && isNotFound(session.error))) return <NotFoundInApp />;
  if (session.isPending) return <PageLoader />;
  if (session.isError) return <LoadError error={session.error} onRetry={() => void session.refetch()} />;
  return <SessionDetails session={session.data} />;
}

/** After a change: this session's cache gets the answer, and every list that may show it is refreshed. */
function useSessionChanged() {
  const utils = trpc.useUtils();
  return async (session: SessionView) => {
    utils.tutoring.sessions.get.setData({ sessionId: session.id }, session);
    await Promise.all([
      utils.tutoring.sessions.upcoming.invalidate(),
      utils.tutoring.sessions.past.invalidate(),
      utils.tutoring.sessions.cancelled.invalidate(),
      // A session no longer booked has no change preview (the API answers 409): mark it stale, never refetch it.
      utils.tutoring.sessions.changePreview.invalidate(
        { sessionId: session.id },
        { refetchType: session.status === "booked" ? "active" : "none" },
      ),
      utils.tutoring.teachers.slots.invalidate(),
      utils.credits.invalidate(),
    ]);
  };
}

function SessionDetails({ session }: { session: SessionView }) {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const time = useTimeFormat(me.timezone);
  const other = otherParty(session);
  const [moving, setMoving] = useState(false);
  const [cancelling, setCancelling] = useState(false);

  return (
    <Stack gap="lg" maw={860}>
      <Anchor component={Link} to="/sessions" size="sm">
        {t("sessions.backToSessions")}
      </Anchor>
      <Stack gap={4}>
        <PageHeading>{t("sessions.titleWith", { name: other.name })}</PageHeading>
        <Text c="dimmed">{time.dateTimeLong(session.startsAt)}</Text>
      </Stack>

      <Card withBorder radius="md" padding="lg">
        <Stack gap="md">
          <Facts session={session} />
          <Group gap="sm">
            {session.status === "booked" && <JoinButton session={session} />}
            {session.canReschedule && (
              <Button variant="light" onClick={() => setMoving(true)}>
                {t("sessions.reschedule")}
              </Button>
            )}
            {session.canCancel && (
              <Button variant="light" color="red" onClick={() => setCancelling(true)}>
                {t("sessions.cancel")}
              </Button>
            )}
          </Group>
          {session.viewerRole === "learner" && session.status === "booked" && (
            <FreeChangeNote deadline={session.freeChangeDeadline} bookedAt={session.createdAt} />
          )}
        </Stack>
      </Card>

      {session.viewerRole !== "learner" && (
        <Card withBorder radius="md" padding="lg">
          <Stack gap="sm">
            <Title order={2} fz="h4">
              {t("teaching.aboutLearner", { name: session.learner.name })}
            </Title>
            <OnboardingSummary summary={session.learnerOnboarding} />
          </Stack>
        </Card>
      )}

      <NoShowCard session={session} />
      <RefetchAtBoundaries session={session} />
      {session.canSetMeetingUrl && <MeetingLinkForm session={session} />}
      {session.report && <ReportView report={session.report} teacherName={session.teacher.name} />}
      {session.canReport && <ReportForm session={session} />}
      {session.viewerRole === "teacher" && session.status === "booked" && !session.canReport && !session.dispute && (
        <ReportOpensNote opensAt={session.reportOpensAt} />
      )}
      {session.rating !== null && <RatingView session={session} />}
      {session.canRate && <RateForm session={session} />}

      <RescheduleModal session={session} opened={moving} onClose={() => setMoving(false)} />
      <CancelModal session={session} opened={cancelling} onClose={() => setCancelling(false)} />
    </Stack>
  );
}

function Facts({ session }: { session: SessionView }) {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const format = useFormat();
  const time = useTimeFormat(me.timezone);
  const other = otherParty(session);
  const canceller =
    session.cancelledBy === session.viewerRole
      ? "you"
      : session.cancelledBy === "learner" || session.cancelledBy === "teacher"
        ? session.cancelledBy
        : "admin";
  return (
    <DataList orientation="horizontal" withDivider gap="xs">
      <Fact label={t("sessions.when")}>
        {time.dayLong(session.startsAt)}
        <br />
        {time.timeRange(session.startsAt, session.endsAt)}
        <Text size="xs" c="dimmed">
          {t("sessions.yourTimezone", { timezone: me.timezone })}
        </Text>
      </Fact>
      <Fact label={t("sessions.length")}>{format.duration(session.durationMinutes, "minute")}</Fact>
      <Fact label={t(session.viewerRole === "teacher" ? "sessions.roleLearner" : "sessions.roleTeacher")}>
        {session.viewerRole === "learner" ? (
          <Anchor component={Link} to={`/teachers/${session.teacher.id}`} inherit dir="auto">
            {other.name}
          </Anchor>
        ) : (
          <bdi>{other.name}</bdi>
        )}
      </Fact>
      {session.viewerRole === "admin" && <Fact label={t("sessions.roleLearner")}>{session.learner.name}</Fact>}
      <Fact label={t("sessions.status")}>
        <StatusBadge status={session.status} />
      </Fact>
      <Fact label={t("sessions.credit")}>
        <CreditBadge outcome={session.creditOutcome} />
      </Fact>
      <Fact label={t("sessions.meetingLink")}>
        {session.meetingUrl ? (
          <Anchor href={session.meetingUrl} target="_blank" rel="noopener noreferrer" dir="ltr" inherit>
            {session.meetingUrl}
          </Anchor>
        ) : (
          <Text inherit c="dimmed">
            {t("sessions.noMeetingLink")}
          </Text>
        )}
      </Fact>
      {session.cancelledAt && (
        <Fact label={t("sessions.cancelled")}>
          {t(`sessions.cancelledBy.${canceller}`, { when: time.dateTime(session.cancelledAt) })}
          {session.cancelReason && (
            <Text size="sm" c="dimmed" dir="auto" style={{ whiteSpace: "pre-line" }}>
              {t("sessions.reasonGiven", { reason: session.cancelReason })}
            </Text>
          )}
        </Fact>
      )}
      {session.completedAt && <Fact label={t("sessions.completed")}>{time.dateTime(session.completedAt)}</Fact>}
    </DataList>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <DataList.Item>
      <DataList.ItemLabel>{label}</DataList.ItemLabel>
      <DataList.ItemValue>{children}</DataList.ItemValue>
    </DataList.Item>
  );
}

/** Booked after its free-change deadline: there never was a free change to end. */
const bookedInsideWindow = (session: Pick<SessionView, "createdAt" | "freeChangeDeadline">) =>
  session.createdAt > session.freeChangeDeadline;

function FreeChangeNote({ deadline, bookedAt }: { deadline: Date; bookedAt: Date }) {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const time = useTimeFormat(me.timezone);
  const now = useNow(30_000);
  return (
    <Text size="sm" c="dimmed">
      {bookedInsideWindow({ createdAt: bookedAt, freeChangeDeadline: deadline })
        ? t("sessions.bookedInsideWindow")
        : now <= deadline
          ? t("sessions.freeUntil", { deadline: time.dateTime(deadline) })
          : t("sessions.freeWindowOver", { deadline: time.dateTime(deadline) })}
    </Text>
  );
}

// Cancelling

function CancelModal({ session, opened, onClose }: { session: SessionView; opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal opened={opened} onClose={onClose} title={t("sessions.cancelTitle")} centered>
      {opened && <CancelForm session={session} onClose={onClose} />}
    </Modal>
  );
}

function CancelForm({ session, onClose }: { session: SessionView; onClose: () => void }) {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const time = useTimeFormat(me.timezone);
  const changed = useSessionChanged();
  const preview = trpc.tutoring.sessions.changePreview.useQuery(
    { sessionId: session.id },
    { staleTime: 0, enabled: session.status === "booked" },
  );
  const cancel = trpc.tutoring.sessions.cancel.useMutation();
  const form = useSchemaForm(CancelSessionInput, { sessionId: session.id, reason: "" });
  const { onSubmit, failure } = useSubmit(form, async (values) => {
    const cancelled = await cancel.mutateAsync(values);
    await changed(cancelled);
    onClose();
    notifications.show({
      color: "teal",
      message:
        cancelled.creditOutcome === "refunded"
          ? t("sessions.cancelledRefunded")
          : cancelled.creditOutcome === "forfeited"
            ? t("sessions.cancelledForfeited")
            : t("sessions.cancelledDone"),
    });
  });

  if (preview.isPending) return <SectionLoader />;
  if (preview.isError) return <LoadError error={preview.error} onRetry={() => void preview.refetch()} />;
  const { creditOutcome, deadline } = preview.data;
  const deadlineText = time.dateTime(deadline);
  const learner = session.viewerRole === "learner";
  const consequence =
    creditOutcome === "refunded"
      ? learner
        ? t("sessions.previewRefunded")
        : t("sessions.previewRefundedLearner", { name: session.learner.name })
      : creditOutcome === "forfeited"
        ? bookedInsideWindow(session)
          ? t("sessions.bookedInsideWindow")
          : t("sessions.previewForfeited", { deadline: deadlineText })
        : t("sessions.previewNoCredit");

  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack gap="md">
        <Text>{t("sessions.cancelWhat", { when: time.dateTimeLong(session.startsAt) })}</Text>
        <Alert color={creditOutcome === "forfeited" ? "orange" : "teal"} role="status">
          {consequence}
        </Alert>
        <FailureAlert message={failure?.message} />
        <Textarea
          label={t("sessions.reason")}
          description={t("sessions.reasonHint", { name: otherParty(session).name })}
          autosize
          minRows={2}
          {...form.getInputProps("reason")}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t("sessions.keep")}
          </Button>
          <Button type="submit" color="red" loading={form.submitting}>
            {t("sessions.confirmCancel")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

// Rescheduling

function RescheduleModal({ session, opened, onClose }: { session: SessionView; opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const format = useFormat();
  const time = useTimeFormat(me.timezone);
  const changed = useSessionChanged();
  const [picked, setPicked] = useState<Date | null>(null);
  const move = trpc.tutoring.sessions.reschedule.useMutation({
    onSuccess: async (moved) => {
      await changed(moved);
      close();
      notifications.show({ color: "teal", message: t("sessions.moved", { when: time.dateTime(moved.startsAt) }) });
    },
  });
  const close = () => {
    setPicked(null);
    move.reset();
    onClose();
  };
  const failure = move.error ? toFailure(move.error, t) : null;

  return (
    <Modal opened={opened} onClose={close} title={t("sessions.rescheduleTitle")} size="lg" centered>
      {picked ? (
        <Stack gap="md">
          <Text>
            {t("sessions.moveFromTo", {
              from: time.dateTimeLong(session.startsAt),
              to: time.dateTimeLong(picked),
            })}
          </Text>
          <Text size="sm" c="dimmed">
            {t("sessions.moveKeepsCredit")}
          </Text>
          <FailureAlert message={failure?.message} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setPicked(null)}>
              {t("sessions.pickAnother")}
            </Button>
            <Button loading={move.isPending} onClick={() => move.mutate({ sessionId: session.id, startsAt: picked })}>
              {t("sessions.confirmMove")}
            </Button>
          </Group>
        </Stack>
      ) : (
        <Stack gap="sm">
          <Text size="sm">
            {t("sessions.rescheduleIntro", {
              name: session.teacher.name,
              length: format.duration(session.durationMinutes, "minute"),
            })}
          </Text>
          {opened && (
            <SlotPicker
              teacherId={session.teacher.id}
              // A booked session's length is one of the policy's lengths.
              durationMinutes={session.durationMinutes as SessionLength}
              exclude={session.startsAt}
              onPick={setPicked}
            />
          )}
        </Stack>
      )}
    </Modal>
  );
}

// Meeting link (teacher)

const MeetingLinkInput = SetMeetingUrlInput.extend({ meetingUrl: OptionalMeetingUrl });

function MeetingLinkForm({ session }: { session: SessionView }) {
  const { t } = useTranslation();
  const changed = useSessionChanged();
  const save = trpc.tutoring.sessions.setMeetingUrl.useMutation();
  const form = useSchemaForm(MeetingLinkInput, { sessionId: session.id, meetingUrl: session.meetingUrl ?? "" });
  const { onSubmit, failure } = useSubmit(form, async (values) => {
    const updated = await save.mutateAsync(values);
    await changed(updated);
    form.resetDirty();
    notifications.show({ color: "teal", message: t("sessions.meetingLinkSaved") });
  });
  return (
    <Card withBorder radius="md" padding="lg">
      <form onSubmit={onSubmit} noValidate>
        <Stack gap="sm">
          <Title order={2} fz="h4">
            {t("sessions.meetingLinkTitle")}
          </Title>
          <FailureAlert message={failure?.message} />
          <TextInput
            type="url"
            dir="ltr"
            label={t("sessions.meetingLink")}
            description={t("sessions.meetingLinkHint")}
            placeholder="https://"
            {...form.getInputProps("meetingUrl")}
          />
          <Button type="submit" variant="light" loading={form.submitting} style={{ alignSelf: "flex-start" }}>
            {t("sessions.saveMeetingLink")}
          </Button>
        </Stack>
      </form>
    </Card>
  );
}

// Report (teacher)

function ReportView({ report, teacherName }: { report: NonNullable<SessionView["report"]>; teacherName: string }) {
  const { t } = useTranslation();
  return (
    <Card withBorder radius="md" padding="lg">
      <Stack gap="sm">
        <Title order={2} fz="h4">
          {t("sessions.reportTitle", { name: teacherName })}
        </Title>
        <ReportPart label={t("sessions.reportMessage")} text={report.message} />
        <ReportPart label={t("sessions.reportNextSteps")} text={report.nextSteps} />
        {report.comments !== null && <ReportPart label={t("sessions.reportComments")} text={report.comments} />}
      </Stack>
    </Card>
  );
}

function ReportPart({ label, text }: { label: string; text: string }) {
  const { t } = useTranslation();
  return (
    <Stack gap={2}>
      <Text fw={600} size="sm">
        {label}
      </Text>
      <Text dir="auto" style={{ whiteSpace: "pre-line" }} c={text ? undefined : "dimmed"}>
        {text || t("common.notGiven")}
      </Text>
    </Stack>
  );
}

function ReportForm({ session }: { session: SessionView }) {
  const { t } = useTranslation();
  const changed = useSessionChanged();
  const utils = trpc.useUtils();
  const report = trpc.tutoring.sessions.report.useMutation();
  const form = useSchemaForm(SessionReportInput, { sessionId: session.id, message: "", comments: "", nextSteps: "" });
  const { onSubmit, failure } = useSubmit(form, async (values) => {
    const reported = await report.mutateAsync(values);
    await Promise.all([changed(reported), utils.tutoring.earnings.invalidate()]);
    notifications.show({ color: "teal", message: t("sessions.reportSaved") });
  });
  return (
    <Card withBorder radius="md" padding="lg">
      <form onSubmit={onSubmit} noValidate>
        <Stack gap="sm">
          <Title order={2} fz="h4">
            {t("sessions.writeReport")}
          </Title>
          <Text size="sm" c="dimmed">
            {session.status === "booked" ? t("sessions.reportCompletes") : t("sessions.reportAfterCompletion")}
          </Text>
          <FailureAlert message={failure?.message} />
          <Textarea
            label={t("sessions.reportMessage")}
            description={t("sessions.reportMessageHint")}
            autosize
            minRows={3}
            required
            {...form.getInputProps("message")}
          />
          <Textarea
            label={t("sessions.reportNextSteps")}
            description={t("sessions.reportNextStepsHint")}
            autosize
            minRows={2}
            {...form.getInputProps("nextSteps")}
          />
          <Textarea
            label={t("sessions.reportComments")}
            description={t("sessions.reportCommentsHint")}
            autosize
            minRows={2}
            {...form.getInputProps("comments")}
          />
          <Button type="submit" loading={form.submitting} style={{ alignSelf: "flex-start" }}>
            {t("sessions.submitReport")}
          </Button>
        </Stack>
      </form>
    </Card>
  );
}

// Rating (learner)

function RatingView({ session }: { session: SessionView }) {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const time = useTimeFormat(me.timezone);
  const format = useFormat();
  const rating = session.rating ?? 0;
  const label = t("sessions.starsLabel", { value: format.number(rating) });
  return (
    <Card withBorder radius="md" padding="lg">
      <Stack gap="xs">
        <Title order={2} fz="h4">
          {t(session.viewerRole === "learner" ? "sessions.yourRating" : "sessions.learnerRating")}
        </Title>
        <Group gap="xs" role="img" aria-label={label}>
          <Rating value={rating} readOnly aria-hidden />
          <Text size="sm" aria-hidden>
            {label}
          </Text>
        </Group>
        {session.ratingComment && (
          <Text dir="auto" style={{ whiteSpace: "pre-line" }}>
            {session.ratingComment}
          </Text>
        )}
        {session.ratedAt && (
          <Text size="xs" c="dimmed">
            {t("sessions.ratedOn", { when: time.dateTime(session.ratedAt) })}
          </Text>
        )}
      </Stack>
    </Card>
  );
}

function RateForm({ session }: { session: SessionView }) {
  const { t } = useTranslation();
  const format = useFormat();
  const changed = useSessionChanged();
  const rate = trpc.tutoring.sessions.rate.useMutation();
  const labelId = useId();
  const form = useSchemaForm(RateSessionInput, { sessionId: session.id, rating: 0, comment: "" });
  const { onSubmit, failure } = useSubmit(form, async (values) => {
    const rated = await rate.mutateAsync(values);
    await changed(rated);
    notifications.show({ color: "teal", message: t("sessions.rated") });
  });
  const ratingProps = form.getInputProps("rating");
  return (
    <Card withBorder radius="md" padding="lg">
      <form onSubmit={onSubmit} noValidate>
        <Stack gap="sm">
          <Title order={2} fz="h4">
            {t("sessions.rateTitle", { name: session.teacher.name })}
          </Title>
          <FailureAlert message={failure?.message} />
          <Input.Wrapper
            label={t("sessions.ratingLabel")}
            labelProps={{ id: labelId, component: "span" }}
            error={ratingProps.error}
            required
          >
            <Rating
              role="radiogroup"
              aria-labelledby={labelId}
              size="lg"
              value={ratingProps.value}
              onChange={ratingProps.onChange}
              getSymbolLabel={(value) => t("sessions.starsLabel", { value: format.number(value) })}
            />
          </Input.Wrapper>
          <Textarea label={t("sessions.ratingComment")} autosize minRows={2} {...form.getInputProps("comment")} />
          <Button type="submit" loading={form.submitting} style={{ alignSelf: "flex-start" }}>
            {t("sessions.rate")}
          </Button>
        </Stack>
      </form>
    </Card>
  );
}

// No-shows, disputes, reversal

/**
 * The API decides what the viewer may do now (no-show, report); when one of its moments passes
 * while the page is open, the session is asked for again rather than the rule guessed here.
 */
function RefetchAtBoundaries({ session }: { session: SessionView }) {
  const utils = trpc.useUtils();
  useEffect(() => {
    if (session.status !== "booked") return;
    const now = Date.now();
    const next = [session.noShowFrom, session.reportOpensAt, session.teacherAbsentReportUntil]
      .map((d) => d.getTime())
      .filter((at) => at > now)
      .sort((a, b) => a - b)[0];
    // Timers cannot wait longer than about 24.8 days; a page open that long refetches on focus anyway.
    if (next === undefined || next - now > 2 ** 31 - 1) return;
    const timer = window.setTimeout(
      () => void utils.tutoring.sessions.get.invalidate({ sessionId: session.id }),
      next - now + 1000,
    );
    return () => window.clearTimeout(timer);
  }, [session, utils]);
  return null;
}

function ReportOpensNote({ opensAt }: { opensAt: Date }) {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const time = useTimeFormat(me.timezone);
  return (
    <Card withBorder radius="md" padding="lg">
      <Stack gap="xs">
        <Title order={2} fz="h4">
          {t("sessions.writeReport")}
        </Title>
        <Text size="sm" c="dimmed">
          {t("sessions.reportOpensAt", { when: time.dateTime(opensAt) })}
        </Text>
      </Stack>
    </Card>
  );
}

/** What happened if someone did not come: the actions the API offers now, or what was decided. */
function NoShowCard({ session }: { session: SessionView }) {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const time = useTimeFormat(me.timezone);
  const [confirming, setConfirming] = useState<"learnerAbsent" | "teacherAbsent" | null>(null);
  const close = () => setConfirming(null);
  const lines: ReactNode[] = [];
  const booked = session.status === "booked";
  const { dispute, reversal } = session;

  if (session.learnerAbsentAt)
    lines.push(
      t(session.viewerRole === "learner" ? "sessions.learnerAbsentYou" : "sessions.learnerAbsentTeacher", {
        when: time.dateTime(session.learnerAbsentAt),
      }),
    );
  if (dispute)
    lines.push(
      dispute.open
        ? session.viewerRole === "teacher"
          ? t("sessions.disputeOpenTeacher", { name: session.learner.name, when: time.dateTime(dispute.reportedAt) })
          : t("sessions.disputeOpenLearner", { when: time.dateTime(dispute.reportedAt) })
        : t(dispute.resolution === "refund" ? "sessions.disputeRefunded" : "sessions.disputeCompleted", {
            when: dispute.resolvedAt ? time.dateTime(dispute.resolvedAt) : "",
          }),
    );
  if (reversal) lines.push(t("sessions.reversedNote", { when: time.dateTime(reversal.reversedAt) }));
  if (session.canMarkLearnerAbsent) lines.push(t("sessions.markLearnerAbsentHint", { name: session.learner.name }));
  else if (session.viewerRole === "teacher" && booked && !dispute)
    lines.push(
      t("sessions.markLearnerAbsentFrom", { name: session.learner.name, when: time.dateTime(session.noShowFrom) }),
    );
  if (session.canReportTeacherAbsent)
    lines.push(t("sessions.reportTeacherAbsentUntil", { until: time.dateTime(session.teacherAbsentReportUntil) }));
  else if (session.viewerRole === "learner" && booked && !dispute && new Date() < session.noShowFrom)
    lines.push(
      t("sessions.reportTeacherAbsentFrom", {
        from: time.dateTime(session.noShowFrom),
        until: time.dateTime(session.teacherAbsentReportUntil),
      }),
    );
  if (lines.length === 0) return null;

  return (
    <Card withBorder radius="md" padding="lg">
      <Stack gap="sm">
        <Title order={2} fz="h4">
          {t("sessions.noShowTitle")}
        </Title>
        {lines.map((line, index) => (
          // The lines are fixed per render and never reordered.
          <Text key={index} size="sm">
            {line}
          </Text>
        ))}
        {reversal?.reason && (
          <Text size="sm" c="dimmed" dir="auto" style={{ whiteSpace: "pre-line" }}>
            {t("sessions.reasonGiven", { reason: reversal.reason })}
          </Text>
        )}
        <Group gap="sm">
          {session.canMarkLearnerAbsent && (
            <Button variant="light" color="orange" onClick={() => setConfirming("learnerAbsent")}>
              {t("sessions.markLearnerAbsent")}
            </Button>
          )}
          {session.canReportTeacherAbsent && (
            <Button variant="light" color="orange" onClick={() => setConfirming("teacherAbsent")}>
              {t("sessions.reportTeacherAbsent")}
            </Button>
          )}
        </Group>
      </Stack>
      <Modal
        opened={confirming === "learnerAbsent"}
        onClose={close}
        title={t("sessions.markLearnerAbsentTitle")}
        centered
      >
        {confirming === "learnerAbsent" && <LearnerAbsentConfirm session={session} onClose={close} />}
      </Modal>
      <Modal
        opened={confirming === "teacherAbsent"}
        onClose={close}
        title={t("sessions.reportTeacherAbsentTitle")}
        centered
      >
        {confirming === "teacherAbsent" && <TeacherAbsentForm session={session} onClose={close} />}
      </Modal>
    </Card>
  );
}

function LearnerAbsentConfirm({ session, onClose }: { session: SessionView; onClose: () => void }) {
  const { t } = useTranslation();
  const changed = useSessionChanged();
  const utils = trpc.useUtils();
  const mark = trpc.tutoring.sessions.markLearnerAbsent.useMutation({
    onSuccess: async (updated) => {
      await Promise.all([changed(updated), utils.tutoring.earnings.invalidate()]);
      onClose();
      notifications.show({ color: "teal", message: t("sessions.learnerMarkedAbsent") });
    },
  });
  const failure = mark.error ? toFailure(mark.error, t) : null;
  return (
    <Stack gap="md">
      <Text>{t("sessions.markLearnerAbsentText", { name: session.learner.name })}</Text>
      <FailureAlert message={failure?.message} />
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          {t("sessions.notNow")}
        </Button>
        <Button color="orange" loading={mark.isPending} onClick={() => mark.mutate({ sessionId: session.id })}>
          {t("sessions.confirmLearnerAbsent")}
        </Button>
      </Group>
    </Stack>
  );
}

function TeacherAbsentForm({ session, onClose }: { session: SessionView; onClose: () => void }) {
  const { t } = useTranslation();
  const changed = useSessionChanged();
  const report = trpc.tutoring.sessions.reportTeacherAbsent.useMutation();
  const form = useSchemaForm(ReportTeacherAbsentInput, { sessionId: session.id, note: "" });
  const { onSubmit, failure } = useSubmit(form, async (values) => {
    const updated = await report.mutateAsync(values);
    await changed(updated);
    onClose();
    notifications.show({ color: "teal", message: t("sessions.teacherAbsentReported") });
  });
  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack gap="md">
        <Text>{t("sessions.reportTeacherAbsentText", { name: session.teacher.name })}</Text>
        <FailureAlert message={failure?.message} />
        <Textarea label={t("sessions.reportTeacherAbsentNote")} autosize minRows={2} {...form.getInputProps("note")} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t("sessions.notNow")}
          </Button>
          <Button type="submit" color="orange" loading={form.submitting}>
            {t("sessions.confirmReportTeacherAbsent")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
