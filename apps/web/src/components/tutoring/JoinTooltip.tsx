import { Tooltip } from "@mantine/core";
import type { ReactElement } from "react";

/** Says why a Join button is inert. Its own module: the tooltip's positioning library loads after the first screen. */
export function JoinTooltip({ label, children }: { label: string; children: ReactElement }) {
  return (
    <Tooltip label={label} withArrow multiline maw={260} events={{ hover: true, focus: true, touch: true }}>
      {children}
    </Tooltip>
  );
}
