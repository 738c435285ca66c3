// `pnpm bench` money lines: payments.checkout.start and a local provider webhook applied (a
// pending order paid: lot opened, credits issued, receipt email queued, sale posted), each beside a
// bare Hono + pg baseline (bench/money-baseline.ts, a bench child) that runs the same statements on
// the same database. Called by bench/http.ts with its `load`, the bench world and that child's URL.
import { randomUUID } from "node:crypto";
import { CHECKOUT_POLICY } from "@lectern/api-contract";
import type autocannon from "autocannon";
import pg from "pg";
import superjson from "superjson";
import {
  LOCAL_SIGNATURE_HEADER,
  localPaymentsSecret,
  signLocalWebhook,
} from "../src/modules/payments/providers/local.ts";

interface Figures {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  cpuPerRequest?: number;
}
type Load = (
  name: string,
  path: string,
  headers?: Record<string, string>,
  options?: Partial<autocannon.Options>,
  base?: string,
) => Promise<Figures>;

/** Orders made ready to be paid, per side: more than either side pays in a run. */
const PENDING_ORDERS = 40_000;
const PRICE = 9_900;
const SESSIONS = 4;

export async function moneyBench(options: {
  load: Load;
  settings: Record<string, string>;
  bookerCookies: Record<string, string>;
  baselineUrl: string;
}): Promise<[Figures, Figures | null][]> {
  const { load, settings, bookerCookies, baselineUrl } = options;
  const secret = localPaymentsSecret({
    BETTER_AUTH_SECRET: settings.BETTER_AUTH_SECRET ?? "",
    LOCAL_PAYMENTS_SECRET: undefined,
  });
  const pool = new pg.Pool({ connectionString: settings.DATABASE_URL, max: 10 });
  pool.on("error", () => {});
  const bookers = Object.keys(bookerCookies);
  const [pack] = (
    await pool.query<{ id: string }>(
      `insert into credit_packs (name, sessions, session_minutes, validity_days, prices)
       values ('Bench pack', $1, 60, 90, $2::jsonb) returning id`,
      [SESSIONS, JSON.stringify({ USD: PRICE })],
    )
  ).rows;
  if (!pack) throw new Error("no bench pack");
  // Pending local orders for the webhook runs: the first half for Lectern, the second for the baseline.
  await pool.query(
    `insert into orders (buyer_id, item_type, item_id, description, credits, session_minutes, validity_days,
       currency, amount, provider, provider_ref, expires_at)
     select 'bench-b-' || (g % $3 + 1), 'credit_pack', $1, 'Bench pack', $4, 60, 90, 'USD', $5, 'local',
       'bench_' || g, now() + interval '1 day'
     from generate_series(1, $2 * 2) g`,
    [pack.id, PENDING_ORDERS, bookers.length, SESSIONS, PRICE],
  );
  const orderIds = (
    await pool.query<{ id: string }>(`select id from orders where provider_ref like 'bench_%' order by provider_ref`)
  ).rows.map((r) => r.id);

  // Each checkout comes from another booker and another address, so the per-user and per-IP limits
  // (CHECKOUT_POLICY) are what a real crowd meets, not one client's wall of 429s.
  const checkoutRequest = (prefix: string, path: string, lectern: boolean): autocannon.Request => {
    let n = 0;
    return {
      method: "POST",
      path,
      setupRequest: (request) => {
        const i = n++;
        const booker = bookers[Math.floor(i / CHECKOUT_POLICY.perUser.max) % bookers.length] ?? "";
        const body = { packId: pack.id, currency: "USD" };
        return {
          ...request,
          headers: {
            ...request.headers,
            "content-type": "application/json",
            origin: "http://localhost:5173",
            "x-forwarded-for": `${prefix}.${Math.floor(i / 250) % 250}.${i % 250}`,
            cookie: bookerCookies[booker] ?? "",
          },
          body: JSON.stringify(lectern ? superjson.serialize(body) : body),
        };
      },
    };
  };
  const webhookRequest = (ids: string[]): autocannon.Request => {
    let n = 0;
    return {
      method: "POST",
      path: "/webhooks/local",
      setupRequest: (request) => {
        const orderId = ids[n++ % ids.length] ?? "";
        const body = JSON.stringify({
          id: `evt_${randomUUID()}`,
          type: "payment.succeeded",
          data: { orderId, paymentRef: `pay_bench_${orderId}`, amount: PRICE, currency: "USD" },
        });
        return {
          ...request,
          headers: {
            ...request.headers,
            "content-type": "application/json",
            [LOCAL_SIGNATURE_HEADER]: signLocalWebhook(secret, body),
          },
          body,
        };
      },
    };
  };

  try {
    const start = await load(
      "tRPC payments.checkout.start",
      "/api/trpc/payments.checkout.start",
      {},
      {
        requests: [checkoutRequest("10.1", "/api/trpc/payments.checkout.start", true)],
      },
    );
    const startBaseline = await load(
      "  baseline: same SQL, Hono + pg",
      "/checkout",
      {},
      { requests: [checkoutRequest("10.2", "/checkout", false)] },
      baselineUrl,
    );
    const apply = await load(
      "webhook apply (local)",
      "/webhooks/local",
      {},
      {
        requests: [webhookRequest(orderIds.slice(0, PENDING_ORDERS))],
      },
    );
    const applyBaseline = await load(
      "  baseline: same SQL, Hono + pg",
      "/webhooks/local",
      {},
      { requests: [webhookRequest(orderIds.slice(PENDING_ORDERS))] },
      baselineUrl,
    );
    return [
      [start, null],
      [startBaseline, start],
      [apply, null],
      [applyBaseline, apply],
    ];
  } finally {
    await pool.end();
  }
}
