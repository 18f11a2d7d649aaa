-- The one owner of the commerce schema (API.md). Neither app creates or migrates tables.
-- Applied to a fresh database by `infra.database.apply_schema`; safe to re-apply (drops first).

DROP TABLE IF EXISTS tb_order_item, tb_order, tb_product_item, tb_product, tb_auth_user CASCADE;

CREATE TABLE tb_auth_user (
    id          bigserial PRIMARY KEY,
    email       varchar(200) NOT NULL UNIQUE,
    password    varchar(256) NOT NULL,
    is_active   boolean NOT NULL DEFAULT true,
    created_dtm timestamptz NOT NULL DEFAULT now(),
    -- emails are stored lower-cased; this makes case-insensitive uniqueness hold even for
    -- rows written by hand.
    CONSTRAINT tb_auth_user_email_lower CHECK (email = lower(email))
);

CREATE TABLE tb_product (
    id           bigserial PRIMARY KEY,
    name         varchar(100) NOT NULL,
    is_displayed boolean NOT NULL DEFAULT true,
    created_dtm  timestamptz NOT NULL DEFAULT now(),
    updated_dtm  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tb_product_item (
    id             bigserial PRIMARY KEY,
    product_id     bigint NOT NULL REFERENCES tb_product (id) ON DELETE CASCADE,
    name           varchar(100) NOT NULL,
    cost           bigint NOT NULL CHECK (cost >= 0),
    price          bigint NOT NULL CHECK (price >= 0),
    is_active      boolean NOT NULL DEFAULT true,
    sale_start_dtm timestamptz NULL,
    sale_close_dtm timestamptz NULL,
    item_quantity  integer NOT NULL CHECK (item_quantity >= 0),
    sold_quantity  integer NOT NULL DEFAULT 0
        CHECK (sold_quantity >= 0 AND sold_quantity <= item_quantity),
    created_dtm    timestamptz NOT NULL DEFAULT now(),
    updated_dtm    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tb_order (
    id           bigserial PRIMARY KEY,
    order_number varchar(100) NOT NULL UNIQUE,
    user_id      bigint NOT NULL REFERENCES tb_auth_user (id),
    product_id   bigint NOT NULL REFERENCES tb_product (id),
    status       varchar(10) NOT NULL,
    total_price  bigint NOT NULL,
    created_dtm  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tb_order_item (
    id          bigserial PRIMARY KEY,
    order_id    bigint NOT NULL REFERENCES tb_order (id) ON DELETE CASCADE,
    item_id     bigint NOT NULL REFERENCES tb_product_item (id),
    quantity    integer NOT NULL CHECK (quantity > 0),
    price       bigint NOT NULL,
    created_dtm timestamptz NOT NULL DEFAULT now()
);

-- One index per lookup the endpoints make. Primary keys and the unique constraints on
-- email and order_number already cover lookups by id, email and order number.
CREATE INDEX tb_product_displayed_idx ON tb_product (id) WHERE is_displayed;
CREATE INDEX tb_product_item_product_idx ON tb_product_item (product_id, id);
CREATE INDEX tb_order_user_idx ON tb_order (user_id);
CREATE INDEX tb_order_item_order_idx ON tb_order_item (order_id, item_id);
CREATE INDEX tb_order_item_item_idx ON tb_order_item (item_id);
