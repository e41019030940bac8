-- The installed base (issue 11, item 10, first half): what a fulfilled order left the customer's
-- account with. An order's add line installs an asset; a modify line changes one, a disconnect
-- line ends one (O2: the line names the asset it acts on). Owned by engine/src/modules/order,
-- written only when an order is recorded fulfilled, in that command's transaction.

CREATE TABLE installed_asset (
  id              uuid           PRIMARY KEY,
  tenant_id       varchar(64)    NOT NULL REFERENCES tenant(id),
  account_id      varchar(120)   NOT NULL,
  offering        varchar(100)   NOT NULL,
  quantity        integer        NOT NULL,
  selections      jsonb          NOT NULL,
  charges         json           NOT NULL,
  currency        char(3)        NOT NULL,
  state           varchar(12)    NOT NULL DEFAULT 'active',
  -- The order line that installed it, and the last one that changed it.
  order_id        uuid           NOT NULL REFERENCES customer_order(id),
  line_id         varchar(64)    NOT NULL,
  last_order_id   uuid           NOT NULL REFERENCES customer_order(id),
  release_id      uuid           NOT NULL,
  term_months     integer        NOT NULL,
  term_start      date           NOT NULL,
  term_end        date           NOT NULL,
  version         integer        NOT NULL DEFAULT 1,
  installed_at    timestamptz(6) NOT NULL DEFAULT now(),
  updated_at      timestamptz(6) NOT NULL DEFAULT now(),
  CONSTRAINT ck_installed_asset_state CHECK (state IN ('active', 'disconnected')),
  CONSTRAINT ck_installed_asset_quantity CHECK (quantity > 0),
  CONSTRAINT ck_installed_asset_term CHECK (term_end > term_start),
  -- The line that installed it: a replayed fulfillment installs nothing twice.
  CONSTRAINT fk_installed_asset_line FOREIGN KEY (order_id, line_id) REFERENCES order_line(order_id, line_id)
);
CREATE UNIQUE INDEX uq_installed_asset_line ON installed_asset (order_id, line_id);
CREATE INDEX ix_installed_asset_account ON installed_asset (tenant_id, account_id, state);
-- The installed base is evidence of what the customer has: assets end (disconnected), never vanish.
CREATE TRIGGER tg_installed_asset_no_delete BEFORE DELETE ON installed_asset FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER tg_installed_asset_no_truncate BEFORE TRUNCATE ON installed_asset FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
