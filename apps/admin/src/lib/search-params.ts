import { useCallback } from "react";
import { useSearchParams } from "react-router";

/**
 * A page's filters, kept in the URL so that links, reloads and the back button keep them.
 * Changing any filter other than the page goes back to page 1.
 */
export function useFilters() {
  const [params, setParams] = useSearchParams();
  const update = useCallback(
    (changes: Record<string, string | null | undefined>) => {
      // Start from the address bar, not from the last render: a debounced text filter can land while
      // another filter's navigation has not re-rendered the page yet, and neither may undo the other.
      const next = new URLSearchParams(window.location.search);
      if (!("page" in changes)) next.delete("page");
      for (const [key, value] of Object.entries(changes)) {
        if (value) next.set(key, value);
        else next.delete(key);
      }
      setParams(next, { replace: true });
    },
    [setParams],
  );
  const page = Math.max(1, Number.parseInt(params.get("page") ?? "", 10) || 1);
  return { params, page, update };
}

/** `value` when it is one of `values` (a filter read from the URL), else undefined. */
export const oneOf = <T extends string>(values: readonly T[], value: string | null): T | undefined =>
  values.find((candidate) => candidate === value);
