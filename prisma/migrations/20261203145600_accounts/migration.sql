-- Accounts (issue 11, item 1): who a quote is for. Segment and channel decide eligibility and
-- pricing (the release's offerings and customer-phase rules read them), so a quote names an
-- account of its tenant and keeps the segment and channel it was made for.
CREATE TABLE account (
  tenant_id           varchar(64)    NOT NULL REFERENCES tenant (id),
  id                  varchar(64)    NOT NULL,
  name                varchar(200)   NOT NULL,
  segment             varchar(60)    NOT NULL,
  channel             varchar(60)    NOT NULL,
  currency            char(3)        NOT NULL,
  billing_account_id  varchar(64),
  contacts            jsonb          NOT NULL DEFAULT '[]',
  status              varchar(20)    NOT NULL DEFAULT 'active',
  version             integer        NOT NULL DEFAULT 1,
  created_by          varchar(120)   NOT NULL,
  created_at          timestamptz(6) NOT NULL DEFAULT now(),
  updated_at          timestamptz(6) NOT NULL DEFAULT now(),
  CONSTRAINT pk_account PRIMARY KEY (tenant_id, id),
  CONSTRAINT ck_account_id CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  CONSTRAINT ck_account_status CHECK (status IN ('active', 'closed')),
  CONSTRAINT ck_account_currency CHECK (currency ~ '^[A-Z]{3}$'),
  CONSTRAINT ck_account_contacts CHECK (jsonb_typeof(contacts) = 'array')
);
-- The rep's account search: by name prefix (case-insensitive) or id, per tenant.
CREATE INDEX ix_account_name ON account (tenant_id, lower(name) text_pattern_ops);

-- The quote keeps the segment and channel of its account as they were when it was made (its
-- prices and eligibility were decided with them); quotes made before accounts have none.
ALTER TABLE quote ADD COLUMN segment varchar(60), ADD COLUMN channel varchar(60);

-- The account a new quote is made for, as one row, read inside the quote's creating statement
-- (one round trip); an account the tenant does not have, or a closed one, raises P0002 and the
-- whole statement writes nothing. Owned by the account module, as its table is.
CREATE FUNCTION account_for_quote(p_tenant varchar, p_account varchar)
RETURNS TABLE (name varchar, segment varchar, channel varchar, currency char(3))
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN QUERY SELECT a.name, a.segment, a.channel, a.currency FROM account a
    WHERE a.tenant_id = p_tenant AND a.id = p_account AND a.status = 'active';
  IF NOT FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'P0002', MESSAGE = 'account-unknown', DETAIL = p_account;
  END IF;
END $$;
