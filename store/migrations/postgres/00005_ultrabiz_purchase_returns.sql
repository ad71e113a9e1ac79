-- Purchase returns (goods sent back to a vendor) and their lines: entering one takes its units out
-- of stock and its total off the vendor's balance; deleting one puts both back. Lines have every
-- column of a purchase line. Tenant tables: organization_id leads every key, so Citus distributes
-- them with the others on the next migrate.
-- +goose Up
CREATE TABLE ultrabiz_purchase_returns (
    organization_id character varying(24) NOT NULL,
    id bigint NOT NULL,
    is_pgp boolean NOT NULL,
    vendor_id integer NOT NULL,
    return_no character varying(50) NOT NULL,
    return_date timestamp with time zone,
    remarks character varying(500),
    gross_amount numeric(20,4) NOT NULL,
    disc_amount numeric(20,4) NOT NULL,
    s_tax_amount numeric(20,4) NOT NULL,
    f_tax_amount numeric(20,4) NOT NULL,
    i_tax_amount numeric(20,4) NOT NULL,
    net_amount numeric(20,4) NOT NULL,
    is_posted boolean NOT NULL,
    is_finalized boolean NOT NULL,
    created_by bigint NOT NULL,
    created_at timestamp with time zone,
    deleted_at timestamp with time zone,
    deleted_by bigint,
    CONSTRAINT ultrabiz_purchase_returns_pkey PRIMARY KEY (organization_id, id),
    CONSTRAINT fk_ultrabiz_purchase_returns_vendor FOREIGN KEY (organization_id, vendor_id) REFERENCES ultrabiz_vendors(organization_id, id)
);

CREATE UNIQUE INDEX ux_ultrabiz_return_no ON ultrabiz_purchase_returns USING btree (organization_id, vendor_id, return_no) WHERE (deleted_at IS NULL);

CREATE TABLE ultrabiz_purchase_return_lines (
    organization_id character varying(24) NOT NULL,
    return_id bigint NOT NULL,
    line_no integer NOT NULL,
    product_id character varying(50) NOT NULL,
    packing_id integer NOT NULL,
    multiplier numeric(20,4) NOT NULL,
    qty_pack integer NOT NULL,
    qty_lose integer NOT NULL,
    bns_lose integer NOT NULL,
    price_pack numeric(20,4) NOT NULL,
    disc_ratio numeric(20,4) NOT NULL,
    disc_val_pack numeric(20,4) NOT NULL,
    disc_val_lose numeric(20,4) NOT NULL,
    offer_discount numeric(20,4) NOT NULL,
    s_tax_ratio numeric(20,4) NOT NULL,
    s_tax_val_pack numeric(20,4) NOT NULL,
    is_value_b4_ratio boolean NOT NULL,
    is_s_tax_on_bns boolean NOT NULL,
    is_f_tax_exempted boolean NOT NULL,
    ttl_value numeric(20,4) NOT NULL,
    ttl_s_tax numeric(20,4) NOT NULL,
    ttl_f_tax numeric(20,4) NOT NULL,
    tti_tax numeric(20,4) NOT NULL,
    extra_s_tax_bns numeric(20,4) NOT NULL,
    extra_f_tax_bns numeric(20,4) NOT NULL,
    per_unit_cost_lose numeric(20,4) NOT NULL,
    is_free_product boolean NOT NULL,
    customer_id character varying(50),
    offer_id integer NOT NULL,
    is_offered boolean NOT NULL,
    damage integer NOT NULL,
    bar_code character varying(50),
    i_tax_per numeric(20,4) NOT NULL,
    than_qty integer NOT NULL,
    meters numeric(20,4) NOT NULL,
    size_id integer NOT NULL,
    is_open_product boolean NOT NULL,
    color_id numeric(20,4) NOT NULL,
    net_val numeric(20,4) NOT NULL,
    units numeric(20,4) NOT NULL,
    deleted_at timestamp with time zone,
    CONSTRAINT ultrabiz_purchase_return_lines_pkey PRIMARY KEY (organization_id, return_id, line_no),
    CONSTRAINT fk_ultrabiz_purchase_returns_lines FOREIGN KEY (organization_id, return_id) REFERENCES ultrabiz_purchase_returns(organization_id, id),
    CONSTRAINT fk_ultrabiz_purchase_return_lines_product FOREIGN KEY (organization_id, product_id) REFERENCES ultrabiz_products(organization_id, id)
);

-- +goose Down
DROP TABLE ultrabiz_purchase_return_lines;
DROP TABLE ultrabiz_purchase_returns;
