/**
 * ISO 4217 currencies the platform prices in, with their minor units (decimal places). Amounts
 * are decimal strings and may not carry more decimals than their currency has: 10.5 JPY or
 * 1.2345 KWD cannot be invoiced. Adding a currency is one line here (the schemas' enum follows).
 */
export const CURRENCY_DECIMALS = {
  AED: 2, AUD: 2, BGN: 2, BHD: 3, BRL: 2, CAD: 2, CHF: 2, CLP: 0, CNY: 2, CZK: 2,
  DKK: 2, EGP: 2, EUR: 2, GBP: 2, HKD: 2, HUF: 2, IDR: 2, ILS: 2, INR: 2, IQD: 3,
  ISK: 0, JOD: 3, JPY: 0, KRW: 0, KWD: 3, LYD: 3, MAD: 2, MXN: 2, MYR: 2, NOK: 2,
  NZD: 2, OMR: 3, PHP: 2, PLN: 2, QAR: 2, RON: 2, RSD: 2, SAR: 2, SEK: 2, SGD: 2,
  THB: 2, TND: 3, TRY: 2, TWD: 2, UAH: 2, USD: 2, VND: 0, ZAR: 2,
} as const satisfies Record<string, 0 | 2 | 3>;

export type CurrencyCode = keyof typeof CURRENCY_DECIMALS;

export const CURRENCY_CODES = Object.keys(CURRENCY_DECIMALS) as CurrencyCode[];

/** The minor units of a currency, or undefined for a code the platform does not know. */
export function currencyDecimals(code: string): number | undefined {
  return Object.hasOwn(CURRENCY_DECIMALS, code) ? CURRENCY_DECIMALS[code as CurrencyCode] : undefined;
}
