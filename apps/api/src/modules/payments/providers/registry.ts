import type { Currency } from "@lectern/api-contract";
import { type Env, paymentProvidersEnabled } from "@lectern/config";
import type { Db } from "@lectern/db";
import type { Logger } from "../../../logger.ts";
import { createLocalProvider, type LocalProvider } from "./local.ts";
import { createPaymobProvider } from "./paymob.ts";
import { createPaystackProvider } from "./paystack.ts";
import { createStripeProvider } from "./stripe.ts";
import type { PaymentProvider, PaymentProviderName } from "./types.ts";

/**
 * Which provider takes which currency: Stripe USD/GBP/EUR, Paystack NGN, Paymob EGP, each only when
 * its keys are set; `local` for every currency left (all of them on a fresh clone). The app builds
 * one registry and hands it to the checkout, the webhook route and refunds; tests pass their own.
 */
export interface PaymentRegistry {
  forCurrency(currency: Currency): PaymentProvider;
  /** A provider by name (webhooks, refunds, lookups of an order's provider); null if not configured. */
  providerByName(name: string): PaymentProvider | null;
  readonly local: LocalProvider;
  /** Every configured provider (local included). */
  all(): PaymentProvider[];
}

export interface RegistryDeps {
  env: Env;
  db: Db;
  logger?: Logger;
  /** How the local provider reaches /webhooks/local (the app passes itself; default: HTTP to API_URL). */
  deliverLocal?: (request: Request) => Promise<Response>;
  /** Providers to use instead of the configured ones (tests: a provider speaking to a fake). */
  providers?: Partial<Record<Exclude<PaymentProviderName, "local">, PaymentProvider>>;
}

/** The real providers whose keys are set, by name. */
function configuredProviders(env: Env): Partial<Record<Exclude<PaymentProviderName, "local">, PaymentProvider>> {
  const enabled = paymentProvidersEnabled(env);
  return {
    ...(enabled.stripe ? { stripe: createStripeProvider(env) } : {}),
    ...(enabled.paystack ? { paystack: createPaystackProvider(env) } : {}),
    ...(enabled.paymob ? { paymob: createPaymobProvider(env) } : {}),
  };
}

/** The currencies each real provider takes (DESIGN.md §4). */
const ROUTES = { stripe: ["USD", "GBP", "EUR"], paystack: ["NGN"], paymob: ["EGP"] } as const;

export function createPaymentRegistry(deps: RegistryDeps): PaymentRegistry {
  const local = createLocalProvider({ env: deps.env, db: deps.db, deliver: deps.deliverLocal, logger: deps.logger });
  const real = deps.providers ?? configuredProviders(deps.env);
  const byName = new Map<string, PaymentProvider>([["local", local]]);
  for (const provider of Object.values(real)) if (provider) byName.set(provider.name, provider);
  const byCurrency = new Map<Currency, PaymentProvider>();
  for (const [name, currencies] of Object.entries(ROUTES) as [keyof typeof ROUTES, readonly Currency[]][]) {
    const provider = real[name];
    if (provider) for (const currency of currencies) byCurrency.set(currency, provider);
  }
  return {
    forCurrency: (currency) => byCurrency.get(currency) ?? local,
    providerByName: (name) => byName.get(name) ?? null,
    local,
    all: () => [...byName.values()],
  };
}
