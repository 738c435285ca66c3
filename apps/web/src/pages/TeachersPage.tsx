import type { RouterOutputs } from "@lectern/api/router";
import { Button, Card, Group, SimpleGrid, Stack, Text, TextInput, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useEffect, useId, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { PageHeading } from "../components/PageHeading";
import { Pager } from "../components/Pager";
import { LoadError, SectionLoader } from "../components/Status";
import { RatingSummary } from "../components/tutoring/RatingSummary";
import { TagList } from "../components/tutoring/TagList";
import { useCurrentUser } from "../lib/session";
import { trpc } from "../lib/trpc";
import { useTimeFormat } from "../lib/tutoring";

const PAGE_SIZE = 12;

type Teacher = RouterOutputs["tutoring"]["teachers"]["list"]["items"][number];

/** The teacher directory: search by name or words in the bio, filter by subject and language. */
export function TeachersPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Number(params.get("page")) || 1);
  const [query, setQuery] = useState(params.get("q") ?? "");
  const [subject, setSubject] = useState(params.get("subject") ?? "");
  const [language, setLanguage] = useState(params.get("language") ?? "");
  const [debouncedQuery] = useDebouncedValue(query.trim(), 300);
  const [debouncedSubject] = useDebouncedValue(subject.trim(), 300);
  const [debouncedLanguage] = useDebouncedValue(language.trim(), 300);
  const filters = useMemo(
    () => ({ query: debouncedQuery, subject: debouncedSubject, language: debouncedLanguage }),
    [debouncedQuery, debouncedSubject, debouncedLanguage],
  );

  // The filters live in the address too, so Back returns to the same results.
  useEffect(() => {
    setParams(
      (old) => {
        const next = new URLSearchParams();
        if (filters.query) next.set("q", filters.query);
        if (filters.subject) next.set("subject", filters.subject);
        if (filters.language) next.set("language", filters.language);
        const sameFilters =
          (old.get("q") ?? "") === filters.query &&
          (old.get("subject") ?? "") === filters.subject &&
          (old.get("language") ?? "") === filters.language;
        const oldPage = old.get("page");
        if (sameFilters && oldPage) next.set("page", oldPage);
        return next;
      },
      { replace: true },
    );
  }, [filters, setParams]);

  const list = trpc.tutoring.teachers.list.useQuery(
    {
      query: filters.query,
      subject: filters.subject || undefined,
      language: filters.language || undefined,
      page,
      pageSize: PAGE_SIZE,
    },
    { placeholderData: (previous) => previous },
  );

  const goTo = (next: number) =>
    setParams((old) => {
      const copy = new URLSearchParams(old);
      copy.set("page", String(next));
      return copy;
    });

  return (
    <Stack gap="lg" maw={1100}>
      <Stack gap={4}>
        <PageHeading>{t("teachers.title")}</PageHeading>
        <Text c="dimmed">{t("teachers.intro")}</Text>
      </Stack>
      <Card withBorder radius="md" padding="md" role="search" aria-label={t("teachers.searchLabel")}>
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <TextInput
            type="search"
            label={t("teachers.search")}
            placeholder={t("teachers.searchPlaceholder")}
            value={query}
            onChange={(event) => setQuery(event.currentTarget.value)}
          />
          <TextInput
            label={t("teachers.subject")}
            placeholder={t("teachers.subjectPlaceholder")}
            value={subject}
            onChange={(event) => setSubject(event.currentTarget.value)}
          />
          <TextInput
            label={t("teachers.language")}
            placeholder={t("teachers.languagePlaceholder")}
            value={language}
            onChange={(event) => setLanguage(event.currentTarget.value)}
          />
        </SimpleGrid>
      </Card>
      {list.isPending ? (
        <SectionLoader />
      ) : list.isError ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <Text c="dimmed" role="status">
          {t("teachers.none")}
        </Text>
      ) : (
        <>
          <SimpleGrid cols={{ base: 1, md: 2, xl: 3 }} aria-busy={list.isFetching}>
            {list.data.items.map((teacher) => (
              <TeacherCard key={teacher.id} teacher={teacher} />
            ))}
          </SimpleGrid>
          <Pager total={list.data.total} page={page} pageSize={PAGE_SIZE} onPage={goTo} />
        </>
      )}
    </Stack>
  );
}

function TeacherCard({ teacher }: { teacher: Teacher }) {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const time = useTimeFormat(me.timezone);
  const nameId = useId();
  return (
    <Card withBorder radius="md" padding="lg" component="article" aria-labelledby={nameId}>
      <Stack gap="sm" h="100%">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <Title order={2} fz="h4" id={nameId} dir="auto">
            {teacher.name}
          </Title>
          <RatingSummary average={teacher.averageRating} count={teacher.ratingsCount} />
        </Group>
        <Text size="sm" lineClamp={3} c={teacher.bio ? undefined : "dimmed"} dir={teacher.bio ? "auto" : undefined}>
          {teacher.bio || t("teachers.noBio")}
        </Text>
        <TagList label={t("teachers.subjects")} tags={teacher.subjects} color="indigo" />
        <TagList label={t("teachers.languages")} tags={teacher.languages} color="grape" />
        <Text size="sm" mt="auto">
          {teacher.nextFreeSlot
            ? t("teachers.nextFree", { when: time.dateTime(teacher.nextFreeSlot) })
            : t("teachers.noFreeSlot")}
        </Text>
        <Button
          component={Link}
          to={`/teachers/${teacher.id}`}
          aria-label={t("teachers.bookWith", { name: teacher.name })}
          style={{ alignSelf: "flex-start" }}
        >
          {t("teachers.book")}
        </Button>
      </Stack>
    </Card>
  );
}
