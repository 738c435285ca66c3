import { Loader, Select, type SelectProps, Stack, Text } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { keepPreviousData } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { errorMessage } from "../../lib/errors.ts";
import { trpc } from "../../lib/trpc.ts";

const RESULTS = 20;

interface Person {
  id: string;
  name: string;
  email: string;
}

interface UserPickerProps
  extends Omit<SelectProps, "data" | "value" | "onChange" | "searchable" | "searchValue" | "onSearchChange"> {
  /** Without a role, anyone. */
  userRole?: "learner" | "teacher";
  value?: string | null;
  onChange: (userId: string | null) => void;
  /** Only accounts that are not disabled (who can be booked). */
  activeOnly?: boolean;
}

/**
 * Picks a learner or teacher by typing part of their name or email; the server searches, a page of
 * matches at a time. A chosen person keeps their name on show even when they come from the URL.
 */
export function UserPicker({ userRole, value = null, onChange, activeOnly, ...props }: UserPickerProps) {
  const { t } = useTranslation();
  const [search, setSearch] = useState("");
  const [opened, setOpened] = useState(false);
  const [typed] = useDebouncedValue(search, 250);
  const chosen = trpc.admin.users.get.useQuery({ userId: value ?? "" }, { enabled: Boolean(value) });
  const chosenPerson: Person | undefined = value && chosen.data?.id === value ? chosen.data : undefined;
  // Once chosen, the box shows the name: that is not a new search.
  const query = chosenPerson && typed === chosenPerson.name ? "" : typed;
  const results = trpc.admin.users.search.useQuery(
    {
      query,
      role: userRole,
      status: activeOnly ? "active" : undefined,
      sortBy: "name",
      sortDir: "asc",
      page: 1,
      pageSize: RESULTS,
    },
    { enabled: opened || query !== "", placeholderData: keepPreviousData },
  );

  const people = useMemo(() => {
    const byId = new Map<string, Person>();
    if (chosenPerson) byId.set(chosenPerson.id, chosenPerson);
    for (const person of results.data?.items ?? []) byId.set(person.id, person);
    return byId;
  }, [chosenPerson, results.data]);

  const searching = results.isFetching && !results.data;
  return (
    <Select
      {...props}
      searchable
      clearable={props.clearable ?? true}
      value={value}
      onChange={onChange}
      searchValue={search}
      onSearchChange={setSearch}
      onDropdownOpen={() => setOpened(true)}
      onDropdownClose={() => setOpened(false)}
      data={[...people.values()].map((person) => ({ value: person.id, label: person.name }))}
      // The server already matched names and emails; the options are its answer as it stands.
      filter={({ options }) => options}
      renderOption={({ option }) => (
        <Stack gap={0}>
          <Text size="sm">{option.label}</Text>
          <Text size="xs" c="dimmed">
            {people.get(option.value)?.email}
          </Text>
        </Stack>
      )}
      nothingFoundMessage={
        results.error ? errorMessage(results.error) : searching ? t("common.loading") : t("sessions.noMatches")
      }
      rightSection={results.isFetching && opened ? <Loader size="xs" /> : undefined}
      placeholder={props.placeholder ?? t("sessions.typeToSearch")}
    />
  );
}
