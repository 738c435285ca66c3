/** Loopback fakes of the payment providers' APIs, for tests and browser journeys. */
export { type PaymobFake, type PaymobFakeOptions, startPaymobFake } from "./paymob.ts";
export { type PaystackFake, type PaystackFakeOptions, startPaystackFake } from "./paystack.ts";
export type { RecordedRequest } from "./server.ts";
export { type StripeFake, type StripeFakeOptions, startStripeFake } from "./stripe.ts";
