/**
 * Shows a failure as a red toast. The notifications package loads on first use: the first screen
 * does not need it.
 */
export async function notifyFailure(message: string) {
  const { notifications } = await import("@mantine/notifications");
  notifications.show({ color: "red", message });
}
