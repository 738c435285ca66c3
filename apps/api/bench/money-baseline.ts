// Child process of `pnpm bench` (bench/http.ts): the money baseline, a bare Hono + pg server that runs
// the statements payments.checkout.start and the local webhook's apply run, in their order, as plain
// parameterised SQL on the bench database. Started with the database URL and auth secret as one
// JSON argument; prints its URL as one JSON line; answers SIGUSR2 with its CPU time; serves until SIGTERM.
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import pg from "pg";
import { systemAccountId } from "../src/modules/ledger/accounts.ts";
import { LOCAL_SIGNATURE_HEADER, localPaymentsSecret } from "../src/modules/payments/providers/local.ts";

const { DATABASE_URL, BETTER_AUTH_SECRET } = JSON.parse(process.argv[2] ?? "{}") as Record<string, string | undefined>;
if (!DATABASE_URL || !BETTER_AUTH_SECRET)
  throw new Error("the money baseline needs DATABASE_URL and BETTER_AUTH_SECRET");
const secret = localPaymentsSecret({ BETTER_AUTH_SECRET, LOCAL_PAYMENTS_SECRET: undefined });
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });
pool.on("error", () => {});

const SESSION_SQL = `select u.id, u.name, u.email, u.locale, u.banned, s.impersonated_by
  from auth_sessions s join users u on u.id = s.user_id where s.token = $1 and s.expires_at > now()`;
const RATE_SQL = `insert into request_rate_limits as r (key, window_started_at, count) values ($1, now(), 1)
  on conflict (key) do update set
    window_started_at = case when r.window_started_at <= now() - make_interval(secs => $2) then now() else r.window_started_at end,
    count = case when r.window_started_at <= now() - make_interval(secs => $2) then 1 else r.count + 1 end
  returning r.count`;
const PACK_SQL = "select * from credit_packs where id = $1";
const INSERT_ORDER_SQL = `insert into orders (buyer_id, item_type, item_id, description, credits, session_minutes,
  validity_days, currency, amount, tax_amount, tax_label, provider, expires_at, created_at, updated_at)
  values ($1, 'credit_pack', $2, $3, $4, $5, $6, $7, $8, 0, null, 'local', now() + interval '60 minutes', now(), now())
  returning *`;
const ORDER_REF_SQL = "update orders set provider_ref = $2, checkout_url = $3, updated_at = now() where id = $1";

const RECORD_EVENT_SQL = `insert into provider_events (provider, event_id, type, payload) values ('local', $1, $2, $3)
  on conflict (provider, event_id) do nothing returning id`;
const LOCK_EVENT_SQL = `select * from provider_events where provider = 'local' and event_id = $1 for update skip locked`;
const LOCK_ORDER_SQL = "select * from orders where id = $1 for update";
const LOT_ACCOUNT_SQL = `insert into ledger_accounts (owner_id, kind, currency) values ($1, 'credit_lot', 'CREDIT') returning id`;
const LOT_SQL = `insert into credit_lots (learner_id, pack_id, sessions, session_minutes, expires_at, granted_by, account_id)
  values ($1, $2, $3, $4, now() + make_interval(days => $5), null, $6) returning *`;
const POSTING_SQL = `with legs (account_id, amount, currency, ord) as (values
    ($1::uuid, $3::bigint, $5::text, 0), ($2::uuid, $4::bigint, $5::text, 1)),
  t as (
    insert into ledger_transactions (kind, description, actor_id, reference_type, reference_id, metadata)
    select $6, $7, null, $8, $9, $10::jsonb where not exists (select 1 from legs where account_id is null)
    returning id),
  e as (
    insert into ledger_entries (transaction_id, account_id, amount, currency)
    select t.id, legs.account_id, legs.amount, legs.currency from t, legs order by legs.ord)
  select id from t`;
const PAID_SQL = `update orders set status = 'paid', paid_at = now(), payment_ref = $2, credit_lot_id = $3,
  receipt_number = nextval('order_receipt_number_seq'), updated_at = now() where id = $1 returning *`;
const BUYER_SQL = "select name, email, locale, timezone from users where id = $1";
const OUTBOX_SQL = `insert into email_outbox (id, user_id, to_address, template, subject, text_body, html_body, redacted, ics)
  values ($1, $2, $3, 'payment-receipt', $4, $5, $6, false, null)`;
const EMAIL_JOB_SQL = `select graphile_worker.add_job(identifier => 'email.deliver', payload => $1::json, run_at => null,
  job_key => null, max_attempts => 8)`;
const PROCESSED_SQL = `update provider_events set status = 'processed', processed_at = now(), attempts = attempts + 1,
  last_error = null where id = $1`;

const COOKIE = "better-auth.session_token";

const app = new Hono();
const userOf = async (cookieHeader: string | undefined) => {
  const raw = cookieHeader
    ?.split(/;\s*/)
    .find((c) => c.startsWith(`${COOKIE}=`))
    ?.slice(COOKIE.length + 1);
  if (!raw) return null;
  const value = decodeURIComponent(raw);
  const token = value.slice(0, value.lastIndexOf("."));
  const { rows } = await pool.query({ name: "m_session", text: SESSION_SQL, values: [token] });
  return rows[0] && !rows[0].banned ? rows[0] : null;
};

app.post("/checkout", async (c) => {
  const user = await userOf(c.req.header("cookie"));
  if (!user) return c.json({ error: "UNAUTHENTICATED" }, 401);
  if (user.impersonated_by) return c.json({ error: "NOT_WHILE_IMPERSONATING" }, 403);
  const { packId, currency } = (await c.req.json()) as { packId: string; currency: "USD" };
  const ip = c.req.header("x-forwarded-for") ?? "";
  await pool.query({ name: "m_rate", text: RATE_SQL, values: [`baseline:mutations:${user.id}`, 60] });
  await pool.query({ name: "m_rate", text: RATE_SQL, values: [`baseline:checkout:user:${user.id}`, 600] });
  await pool.query({ name: "m_rate", text: RATE_SQL, values: [`baseline:checkout:ip:${ip}`, 600] });
  const pack = (await pool.query({ name: "m_pack", text: PACK_SQL, values: [packId] })).rows[0];
  const amount = pack?.prices?.[currency];
  if (!pack?.active || !amount) return c.json({ error: "PRICE_NOT_AVAILABLE" }, 400);
  const order = (
    await pool.query({
      name: "m_order",
      text: INSERT_ORDER_SQL,
      values: [user.id, pack.id, pack.name, pack.sessions, pack.session_minutes, pack.validity_days, currency, amount],
    })
  ).rows[0];
  // The local provider's startCheckout: a signed page URL, no remote call.
  const token = createHmac("sha256", secret).update(`checkout-page:${order.id}`).digest("hex");
  const checkoutUrl = `http://127.0.0.1/pay/local/${order.id}?token=${token}`;
  await pool.query({ name: "m_ref", text: ORDER_REF_SQL, values: [order.id, `local_${order.id}`, checkoutUrl] });
  return c.json({ orderId: order.id, url: checkoutUrl });
});

app.post("/webhooks/local", async (c) => {
  const rawBody = await c.req.text();
  const header = c.req.header(LOCAL_SIGNATURE_HEADER) ?? "";
  const t = /t=(\d+)/.exec(header)?.[1] ?? "";
  const v1 = Buffer.from(/v1=([0-9a-f]+)/.exec(header)?.[1] ?? "");
  const expected = Buffer.from(createHmac("sha256", secret).update(`${t}.${rawBody}`).digest("hex"));
  if (v1.length !== expected.length || !timingSafeEqual(v1, expected)) return c.json({ error: "signature" }, 400);
  const event = JSON.parse(rawBody) as {
    id: string;
    type: string;
    data: { orderId: string; paymentRef: string; amount: number; currency: string };
  };
  await pool.query({
    name: "m_record",
    text: RECORD_EVENT_SQL,
    values: [event.id, event.type, JSON.stringify(event.data)],
  });
  const client = await pool.connect();
  try {
    await client.query("begin");
    const row = (await client.query({ name: "m_lock_event", text: LOCK_EVENT_SQL, values: [event.id] })).rows[0];
    if (!row || row.status === "processed") {
      await client.query("rollback");
      return c.json({ received: true });
    }
    const order = (await client.query({ name: "m_lock_order", text: LOCK_ORDER_SQL, values: [event.data.orderId] }))
      .rows[0];
    if (order && order.status === "pending" && order.flag_reason === null) {
      const account = (await client.query({ name: "m_lot_account", text: LOT_ACCOUNT_SQL, values: [order.buyer_id] }))
        .rows[0];
      const lot = (
        await client.query({
          name: "m_lot",
          text: LOT_SQL,
          values: [
            order.buyer_id,
            order.item_id,
            order.credits,
            order.session_minutes,
            order.validity_days,
            account.id,
          ],
        })
      ).rows[0];
      await client.query({
        name: "m_posting",
        text: POSTING_SQL,
        values: [
          systemAccountId("credit_issuance", "CREDIT"),
          account.id,
          -order.credits,
          order.credits,
          "CREDIT",
          "credit.grant",
          `${order.description}: ${order.credits} session credits`,
          "credit_lot",
          lot.id,
          null,
        ],
      });
      const paid = (
        await client.query({ name: "m_paid", text: PAID_SQL, values: [order.id, event.data.paymentRef, lot.id] })
      ).rows[0];
      const buyer = (await client.query({ name: "m_buyer", text: BUYER_SQL, values: [order.buyer_id] })).rows[0];
      const outboxId = randomUUID();
      const text = `Hello ${buyer.name}, receipt ${paid.receipt_number}: ${order.description}, ${order.amount} ${order.currency}`;
      await client.query({
        name: "m_outbox",
        text: OUTBOX_SQL,
        values: [
          outboxId,
          order.buyer_id,
          buyer.email,
          `Your Lectern receipt ${paid.receipt_number}`,
          text,
          `<p>${text}</p>`,
        ],
      });
      await client.query({ name: "m_email_job", text: EMAIL_JOB_SQL, values: [JSON.stringify({ outboxId })] });
      await client.query({
        name: "m_posting",
        text: POSTING_SQL,
        values: [
          systemAccountId("payment_clearing", order.currency),
          systemAccountId("platform_revenue", order.currency),
          -order.amount,
          order.amount,
          order.currency,
          "sale.platform",
          order.description,
          "order",
          order.id,
          JSON.stringify({ provider: "local", paymentRef: event.data.paymentRef, creditLotId: lot.id }),
        ],
      });
    }
    await client.query({ name: "m_processed", text: PROCESSED_SQL, values: [row.id] });
    await client.query("commit");
  } catch (error) {
    await client.query("rollback");
    throw error;
  } finally {
    client.release();
  }
  return c.json({ received: true, status: "processed" });
});

const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
await new Promise<void>((resolve) => server.once("listening", () => resolve()));
const { port } = server.address() as AddressInfo;
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
// SIGUSR2 from bench/http.ts, around each load phase: the CPU time used so far, as one JSON line.
process.on("SIGUSR2", () => {
  const { user, system } = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ cpuMicros: user + system })}\n`);
});
process.once("SIGTERM", () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
