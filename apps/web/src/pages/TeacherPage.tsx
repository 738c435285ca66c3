import type { RouterOutputs } from "@lectern/api/router";
import { type SessionLength, TUTORING_POLICY } from "@lectern/api-contract";
import { Alert, Anchor, Button, Card, Group, Modal, NativeSelect, Stack, Text, Title } from "@mantine/core";
import { useState } from "react";
import { Trans, useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { PageHeading } from "../components/PageHeading";
import { LoadError, PageLoader, SectionLoader } from "../components/Status";
import { RatingSummary } from "../components/tutoring/RatingSummary";
import { SlotPicker } from "../components/tutoring/SlotPicker";
import { TagList } from "../components/tutoring/TagList";
import { toFailure } from "../lib/errors";
import { useFormat } from "../lib/format";
import { isLearner, useCurrentUser } from "../lib/session";
import { trpc } from "../lib/trpc";
import { useNow, useTimeFormat } from "../lib/tutoring";

/** A teacher's profile, and for learners: pick a length and a free slot, confirm, and it is booked. */
export function TeacherPage() {
  const { id = "" } = useParams();
  const teacher = trpc.tutoring.teachers.get.useQuery({ teacherId: id });
  if (teacher.isPending) return <PageLoader />;
  if (teacher.isError) return <LoadError error={teacher.error} onRetry={() => void teacher.refetch()} />;
  return <TeacherProfile teacher={teacher.data} />;
}

type Teacher = RouterOutputs["tutoring"]["teachers"]["get"];

function TeacherProfile({ teacher }: { teacher: Teacher }) {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const time = useTimeFormat(me.timezone);
  return (
    <Stack gap="lg" maw={900}>
      <Anchor component={Link} to="/teachers" size="sm">
        {t("booking.backToTeachers")}
      </Anchor>
      <Stack gap="xs">
        <PageHeading dir="auto">{teacher.name}</PageHeading>
        <RatingSummary average={teacher.averageRating} count={teacher.ratingsCount} />
      </Stack>
      <Card withBorder radius="md" padding="lg">
        <Stack gap="sm">
          <Title order={2} fz="h4">
            {t("booking.about")}
          </Title>
          <Text
            style={{ whiteSpace: "pre-line" }}
            c={teacher.bio ? undefined : "dimmed"}
            dir={teacher.bio ? "auto" : undefined}
          >
            {teacher.bio || t("teachers.noBio")}
          </Text>
          <TagList label={t("teachers.subjects")} tags={teacher.subjects} color="indigo" />
          <TagList label={t("teachers.languages")} tags={teacher.languages} color="grape" />
          <Text size="sm" c="dimmed">
            {t("booking.teacherTimezone", { timezone: teacher.timezone })}
          </Text>
          <Text size="sm">
            {teacher.nextFreeSlot
              ? t("teachers.nextFree", { when: time.dateTime(teacher.nextFreeSlot) })
              : t("teachers.noFreeSlot")}
          </Text>
        </Stack>
      </Card>
      {isLearner(me) ? (
        <Booking teacher={teacher} />
      ) : (
        <Alert color="blue" role="status">
          {t("booking.learnersOnly")}
        </Alert>
      )}
    </Stack>
  );
}

function Booking({ teacher }: { teacher: Teacher }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [length, setLength] = useState<SessionLength>(TUTORING_POLICY.defaultSessionMinutes as SessionLength);
  const [picked, setPicked] = useState<Date | null>(null);
  return (
    <Card withBorder radius="md" padding="lg">
      <Stack gap="md">
        <Title order={2} fz="h4">
          {t("booking.title")}
        </Title>
        <NativeSelect
          label={t("booking.length")}
          value={String(length)}
          onChange={(event) => setLength(Number(event.currentTarget.value) as SessionLength)}
          data={TUTORING_POLICY.sessionLengths.map((minutes) => ({
            value: String(minutes),
            label: format.duration(minutes, "minute"),
          }))}
          maw={240}
        />
        <Text size="sm" c="dimmed">
          {t("booking.pickSlot")}
        </Text>
        <SlotPicker teacherId={teacher.id} durationMinutes={length} onPick={setPicked} />
      </Stack>
      <ConfirmBooking teacher={teacher} durationMinutes={length} slot={picked} onClose={() => setPicked(null)} />
    </Card>
  );
}

function ConfirmBooking({
  teacher,
  durationMinutes,
  slot,
  onClose,
}: {
  teacher: Teacher;
  durationMinutes: SessionLength;
  slot: Date | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const format = useFormat();
  const time = useTimeFormat(me.timezone);
  const navigate = useNavigate();
  const utils = trpc.useUtils();
  // The server prices the session (credits × their length), so the dialog shows exactly what booking takes.
  const cost = trpc.tutoring.sessions.cost.useQuery({ durationMinutes }, { enabled: slot !== null, staleTime: 0 });
  // A slot whose free-change deadline has passed already: booking it means no free cancel or move.
  const now = useNow(30_000);
  const book = trpc.tutoring.sessions.book.useMutation({
    onSuccess: async (session) => {
      await Promise.all([
        utils.tutoring.sessions.invalidate(),
        utils.credits.invalidate(),
        utils.tutoring.teachers.invalidate(),
      ]);
      navigate(`/sessions/${session.id}`);
    },
    onError: (error) => {
      // Someone else took the time meanwhile: show the slots as they are now.
      if (toFailure(error, t).code === "SLOT_TAKEN") void utils.tutoring.teachers.slots.invalidate();
    },
  });
  const close = () => {
    book.reset();
    onClose();
  };
  const failure = book.error ? toFailure(book.error, t) : null;
  const credits = cost.data?.available;
  const noCredits = credits === 0 || failure?.code === "NO_CREDITS";
  const notEnough = !noCredits && cost.data?.canAfford === false;

  return (
    <Modal opened={slot !== null} onClose={close} title={t("booking.confirmTitle")} centered>
      {slot && (
        <Stack gap="md">
          <Text>
            {t("booking.confirmWhat", {
              length: format.duration(durationMinutes, "minute"),
              name: teacher.name,
              when: time.dateTimeLong(slot),
            })}
          </Text>
          <Text size="sm" c="dimmed">
            {t("booking.confirmEnds", { time: time.time(new Date(slot.getTime() + durationMinutes * 60_000)) })}
          </Text>
          {slot.getTime() - TUTORING_POLICY.freeChangeMinutes * 60_000 < now.getTime() && (
            <Alert color="orange" role="status">
              {t("booking.insideFreeWindow", { hours: TUTORING_POLICY.freeChangeMinutes / 60 })}
            </Alert>
          )}
          {cost.isPending ? (
            <SectionLoader />
          ) : cost.isError ? (
            <LoadError error={cost.error} onRetry={() => void cost.refetch()} />
          ) : (
            <Stack gap={4}>
              <Text fw={600}>
                {cost.data.credits === 1
                  ? t("booking.costsOne", { balance: cost.data.available })
                  : t("booking.costsMany", { cost: cost.data.credits, balance: cost.data.available })}
              </Text>
              <Text size="sm" c="dimmed">
                {t("booking.creditCovers", { duration: format.duration(cost.data.creditMinutes, "minute") })}
              </Text>
            </Stack>
          )}
          {notEnough ? (
            <Alert color="orange" role="alert">
              <Trans
                i18nKey="booking.notEnoughCredits"
                components={{ credits: <Anchor component={Link} to="/credits" inherit /> }}
              />
            </Alert>
          ) : noCredits ? (
            <Alert color="orange" role="alert">
              <Trans
                i18nKey="booking.noCredits"
                components={{ credits: <Anchor component={Link} to="/credits" inherit /> }}
              />
            </Alert>
          ) : (
            failure && (
              <Alert color="red" role="alert">
                {failure.message}
              </Alert>
            )
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t("booking.back")}
            </Button>
            <Button
              loading={book.isPending}
              disabled={noCredits || notEnough || !cost.isSuccess}
              onClick={() => book.mutate({ teacherId: teacher.id, startsAt: slot, durationMinutes })}
            >
              {t("booking.confirm")}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
