// Mantine's Select on its own, for pages that load it after their first screen (see LanguageSelect).
export { Select } from "@mantine/core";
