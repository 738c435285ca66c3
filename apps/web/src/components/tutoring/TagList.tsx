import { Badge, Group, Text } from "@mantine/core";

/** Subjects or languages as badges, after a visible label. */
export function TagList({ label, tags, color }: { label: string; tags: string[]; color: string }) {
  if (tags.length === 0) return null;
  return (
    <Group gap={6} wrap="wrap">
      <Text size="xs" c="dimmed" fw={600}>
        {label}
      </Text>
      {tags.map((tag) => (
        <Badge key={tag} variant="light" color={color} tt="none" dir="auto">
          {tag}
        </Badge>
      ))}
    </Group>
  );
}
