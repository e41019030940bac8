// The demo tenant's accounts (issue 11, item 1): one per combination the demo release's
// customer-phase rules tell apart (enterprise discount, partner markup, self-service discount,
// smb term discounts), so a rep sees the same line priced differently per account.
export type DemoAccount = {
  accountId: string; name: string; segment: string; channel: string; currency: string; billingAccountId: string;
  contacts: { name: string; email: string; role: string }[];
};

export function demoAccounts(): DemoAccount[] {
  const account = (accountId: string, name: string, segment: string, channel: string, currency: string, contact: string): DemoAccount => ({
    accountId, name, segment, channel, currency, billingAccountId: `ba-${accountId}`,
    contacts: [{ name: contact, email: `${contact.split(' ')[0]!.toLowerCase()}@${accountId}.example`, role: 'buyer' }],
  });
  return [
    account('acct-1', 'Acme GmbH', 'enterprise', 'direct', 'EUR', 'Cora Buyer'),
    account('acct-2', 'Globex Corporation', 'enterprise', 'partner', 'USD', 'Carl Purchaser'),
    account('acct-3', 'Corner Bakery', 'smb', 'self-service', 'EUR', 'Bea Baker'),
    account('acct-4', 'Northwind Traders', 'smb', 'partner', 'EUR', 'Nina North'),
  ];
}
