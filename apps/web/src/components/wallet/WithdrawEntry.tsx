import { Anchor, Button, Group, Modal } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { lazy, Suspense } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { SectionLoader } from "../Status";

// The flow (its forms and the contract's schemas) loads when the dialog first opens.
const WithdrawFlow = lazy(async () => ({ default: (await import("./WithdrawFlow")).WithdrawFlow }));

/** The Withdraw button of one currency's balance card, with links to the history and the payout methods. */
export function WithdrawEntry({ currency, available }: { currency: string; available: number }) {
  const { t } = useTranslation();
  const [opened, { open, close }] = useDisclosure(false);
  return (
    <>
      <Group gap="sm" wrap="wrap">
        <Button size="xs" onClick={open} disabled={available <= 0}>
          {t("withdrawals.withdraw")}
        </Button>
        <Anchor component={Link} to="/wallet/withdrawals" size="sm">
          {t("withdrawals.history")}
        </Anchor>
        <Anchor component={Link} to="/wallet/payout-methods" size="sm">
          {t("withdrawals.methodsLink")}
        </Anchor>
      </Group>
      <Modal opened={opened} onClose={close} title={t("withdrawals.dialogTitle", { currency })} fullScreen={false}>
        {opened && (
          <Suspense fallback={<SectionLoader />}>
            <WithdrawFlow currency={currency} available={available} onDone={close} />
          </Suspense>
        )}
      </Modal>
    </>
  );
}
