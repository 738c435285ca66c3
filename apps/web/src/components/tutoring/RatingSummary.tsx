import { Group, Rating, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useFormat } from "../../lib/format";

/** An average rating as stars, the number and how many ratings it rests on. */
export function RatingSummary({ average, count }: { average: number | null; count: number }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (average === null || count === 0)
    return (
      <Text size="sm" c="dimmed">
        {t("tutoring.rating.none")}
      </Text>
    );
  const label = t("tutoring.rating.summary", { average: format.number(average), ratings: count });
  return (
    <Group gap={6} wrap="nowrap" role="img" aria-label={label} title={label}>
      <Rating value={average} fractions={4} readOnly size="sm" aria-hidden />
      <Text size="sm" fw={600} aria-hidden>
        {format.number(average)}
      </Text>
      <Text size="sm" c="dimmed" aria-hidden>
        ({format.number(count)})
      </Text>
    </Group>
  );
}
