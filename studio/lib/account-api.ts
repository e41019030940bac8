import type { ApiSchema } from '@cpq/contracts/api-types';

/** The account and installed-base shapes the account pages read (contracts/openapi/account-api.yaml, order-api.yaml). */
export type Account = ApiSchema<'Account'>;
export type AccountList = { items: Account[]; total: number; limit: number; offset: number };
export type InstalledAsset = ApiSchema<'InstalledAsset'>;
export type InstalledBase = { accountId: string; items: InstalledAsset[] };
