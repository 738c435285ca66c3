import { type MantineBreakpoint, Menu } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { UserMenuButton, useSignOut } from "./AppLayout";

/** The header's menu: profile and sign-out. Its own module: Menu and its positioning library load after the first screen. */
export function UserMenu({ visibleFrom }: { visibleFrom?: MantineBreakpoint }) {
  const { t } = useTranslation();
  const signOut = useSignOut();
  return (
    <Menu position="bottom-end" width={200}>
      <Menu.Target>
        <UserMenuButton visibleFrom={visibleFrom} />
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item component={Link} to="/profile">
          {t("userMenu.profile")}
        </Menu.Item>
        <Menu.Item onClick={() => signOut.mutate()}>{t("userMenu.signOut")}</Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
