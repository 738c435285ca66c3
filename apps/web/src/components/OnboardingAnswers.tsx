import type { RouterOutputs } from "@lectern/api/router";
import { SKILLS } from "@lectern/api-contract";
import { DataList, Group, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useFormat } from "../lib/format";

export type Answers = NonNullable<RouterOutputs["tutoring"]["onboarding"]["get"]>;

/** A learner's onboarding answers, read-only: for their teachers, and for admins. */
export function OnboardingAnswers({ answers }: { answers: Answers }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    // Stretched items: Mantine aligns them to the baseline, which Chromium places on the left even in Arabic.
    <DataList orientation="vertical" withDivider gap="sm" styles={{ item: { alignItems: "stretch" } }}>
      <Item label={t("onboarding.goals")}>
        <FreeText text={answers.goals} />
      </Item>
      <Item label={t("onboarding.level")}>{t(`cefr.${answers.level}`)}</Item>
      <Item label={t("onboarding.preferredFormat")}>{t(`formats.${answers.preferredFormat}`)}</Item>
      <Item label={t("onboarding.skills")}>
        <Group gap="lg" component="span">
          {SKILLS.map((skill) => (
            <span key={skill}>
              {t(`skills.${skill}`)}:{" "}
              <Text span fw={700} inherit>
                {format.number(answers.skillPriorities[skill] ?? 0)}
              </Text>
            </span>
          ))}
        </Group>
      </Item>
      <Item label={t("onboarding.availability")}>
        <FreeText text={answers.availability} />
      </Item>
      <Item label={t("fields.timezone")}>
        <bdi>{answers.timezone}</bdi>
      </Item>
      <Item label={t("onboarding.notes")}>
        <FreeText text={answers.notes} />
      </Item>
    </DataList>
  );
}

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <DataList.Item>
      <DataList.ItemLabel>{label}</DataList.ItemLabel>
      <DataList.ItemValue>{children}</DataList.ItemValue>
    </DataList.Item>
  );
}

/** What the learner typed, in its own direction and line breaks; a dimmed note when left empty. */
function FreeText({ text }: { text: string }) {
  const { t } = useTranslation();
  if (!text)
    return (
      <Text c="dimmed" inherit span>
        {t("common.notGiven")}
      </Text>
    );
  return (
    <Text dir="auto" inherit style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
      {text}
    </Text>
  );
}
