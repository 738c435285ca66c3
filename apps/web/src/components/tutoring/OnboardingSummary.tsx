import { CEFR_LEVELS, LESSON_FORMATS } from "@lectern/api-contract";
import { DataList, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { SessionView } from "../../lib/tutoring";

type Summary = NonNullable<SessionView["learnerOnboarding"]>;

const isLevel = (value: string): value is (typeof CEFR_LEVELS)[number] =>
  (CEFR_LEVELS as readonly string[]).includes(value);
const isFormat = (value: string): value is (typeof LESSON_FORMATS)[number] =>
  (LESSON_FORMATS as readonly string[]).includes(value);

/** The learner's goals, level and preferred format, for their teacher. */
export function OnboardingSummary({ summary }: { summary: Summary | null }) {
  const { t } = useTranslation();
  if (!summary)
    return (
      <Text size="sm" c="dimmed">
        {t("teaching.noOnboarding")}
      </Text>
    );
  return (
    <DataList orientation="horizontal" gap="xs">
      <DataList.Item>
        <DataList.ItemLabel>{t("teaching.level")}</DataList.ItemLabel>
        <DataList.ItemValue>
          {isLevel(summary.level) ? t(`cefr.${summary.level}`) : summary.level || t("common.notGiven")}
        </DataList.ItemValue>
      </DataList.Item>
      <DataList.Item>
        <DataList.ItemLabel>{t("teaching.format")}</DataList.ItemLabel>
        <DataList.ItemValue>
          {isFormat(summary.preferredFormat)
            ? t(`formats.${summary.preferredFormat}`)
            : summary.preferredFormat || t("common.notGiven")}
        </DataList.ItemValue>
      </DataList.Item>
      <DataList.Item>
        <DataList.ItemLabel>{t("teaching.goals")}</DataList.ItemLabel>
        <DataList.ItemValue>
          <Text inherit style={{ whiteSpace: "pre-line" }} dir="auto">
            {summary.goals || t("common.notGiven")}
          </Text>
        </DataList.ItemValue>
      </DataList.Item>
    </DataList>
  );
}
