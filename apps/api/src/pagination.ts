/**
 * A list's total without a count when the page tells it: a page that is not full ends the list
 * (most people have fewer rows than a page), so count only when more rows may follow it, or when
 * a page past the end came back empty.
 */
export async function pageTotal(rows: number, pageSize: number, offset: number, count: () => Promise<number>) {
  return rows < pageSize && (rows > 0 || offset === 0) ? offset + rows : count();
}
