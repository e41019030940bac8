// Public surface of the account module: its routes and service, and the row source a new quote reads its account from.
export { accountRoutes } from './account.routes';
export { createAccountService, type Account, type AccountService } from './account.service';
export { accountForQuote, accountRefusal } from './account.sql';
