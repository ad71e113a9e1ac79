-- The schema as it stood before versioned migrations (GORM AutoMigrate of the models), dumped
-- with pg_dump -s: tables, primary keys, uniques, indexes, then foreign keys.
-- +goose Up
CREATE TABLE invx_documents (
    organization_id character varying(24) NOT NULL,
    id character varying(36) NOT NULL,
    doc_number character varying(16) NOT NULL,
    doc_type character varying(3) NOT NULL,
    doc_date character varying(10) NOT NULL,
    seller_gstin character varying(15) NOT NULL,
    buyer_gstin character varying(15) NOT NULL,
    ird_doc_type character varying(8) NOT NULL,
    amount numeric(20,4) NOT NULL,
    acceptance_comments character varying(500),
    denial_comments character varying(500),
    dispute_comments character varying(500),
    status character varying(3) NOT NULL,
    created_by_user_id character varying(36) NOT NULL,
    created_on bigint NOT NULL,
    last_updated_by_user_id character varying(36),
    last_updated bigint NOT NULL,
    annotations text NOT NULL,
    body text NOT NULL
);

CREATE TABLE memberships (
    organization_id character varying(24) NOT NULL,
    user_id character varying(36) NOT NULL,
    role character varying(10) NOT NULL,
    created_at timestamp with time zone
);

CREATE TABLE organizations (
    id character varying(24) NOT NULL,
    code character varying(16) NOT NULL,
    name character varying(200) NOT NULL,
    location character varying(200) NOT NULL,
    state character varying(100) NOT NULL,
    logo text,
    owner_user_id character varying(36) NOT NULL,
    regional_setting text NOT NULL,
    tax_settings text,
    settings text NOT NULL,
    from_email character varying(254),
    fiscal_year text,
    business_settings text,
    is_deactivated boolean DEFAULT false NOT NULL,
    platform_credits text NOT NULL,
    registration_source character varying(40),
    organization_type character varying(20),
    phone text,
    version bigint DEFAULT 0 NOT NULL,
    created_at timestamp with time zone,
    updated_at timestamp with time zone
);

CREATE TABLE ub_account_ledgers (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    account_id character varying(24) NOT NULL,
    invoice_id character varying(24),
    payment_id character varying(24),
    expense_id character varying(24),
    outward_payment_id character varying(24),
    transfer_id character varying(24),
    payroll_id character varying(24),
    posted_on timestamp with time zone NOT NULL,
    debit numeric(20,4) NOT NULL,
    credit numeric(20,4) NOT NULL,
    narration character varying(200) NOT NULL
);

CREATE TABLE ub_account_transfers (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    from_account_id character varying(24) NOT NULL,
    to_account_id character varying(24) NOT NULL,
    amount numeric(20,4) NOT NULL,
    transferred_on timestamp with time zone NOT NULL
);

CREATE TABLE ub_accounts (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    name character varying(100) NOT NULL,
    kind character varying(20) NOT NULL,
    balance numeric(20,4) NOT NULL
);

CREATE TABLE ub_activity_logs (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    user_id character varying(36) NOT NULL,
    action character varying(60) NOT NULL,
    details text NOT NULL
);

CREATE TABLE ub_assets (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    name character varying(200) NOT NULL,
    purchase_value numeric(20,4) NOT NULL,
    current_value numeric(20,4) NOT NULL,
    employee_id character varying(24),
    branch_id character varying(24)
);

CREATE TABLE ub_backup_restores (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    backup_id character varying(24) NOT NULL,
    status character varying(20) NOT NULL
);

CREATE TABLE ub_bank_accounts (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    bank_name character varying(100) NOT NULL,
    account_number character varying(30) NOT NULL,
    ifsc character varying(11) NOT NULL,
    account_id character varying(24) NOT NULL
);

CREATE TABLE ub_branches (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    name character varying(100) NOT NULL,
    city character varying(100) NOT NULL,
    gstin character varying(15) NOT NULL
);

CREATE TABLE ub_brands (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    name character varying(100) NOT NULL
);

CREATE TABLE ub_client_ledgers (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    client_id character varying(24) NOT NULL,
    invoice_id character varying(24),
    payment_id character varying(24),
    credit_note_id character varying(24),
    posted_on timestamp with time zone NOT NULL,
    debit numeric(20,4) NOT NULL,
    credit numeric(20,4) NOT NULL,
    narration character varying(200) NOT NULL
);

CREATE TABLE ub_clients (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    name character varying(200) NOT NULL,
    email character varying(254) NOT NULL,
    phone character varying(20) NOT NULL,
    gstin character varying(15) NOT NULL,
    billing_address text NOT NULL,
    shipping_address text NOT NULL,
    balance numeric(20,4) NOT NULL
);

CREATE TABLE ub_contracts (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    title character varying(200) NOT NULL,
    value numeric(20,4) NOT NULL,
    client_id character varying(24),
    vendor_id character varying(24),
    ends_on timestamp with time zone NOT NULL
);

CREATE TABLE ub_credit_note_items (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    credit_note_id character varying(24) NOT NULL,
    item_id character varying(24),
    description character varying(200) NOT NULL,
    quantity numeric(20,4) NOT NULL,
    rate numeric(20,4) NOT NULL,
    tax_id character varying(24),
    tax_amount numeric(20,4) NOT NULL,
    discount_id character varying(24),
    amount numeric(20,4) NOT NULL
);

CREATE TABLE ub_credit_notes (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    number character varying(30) NOT NULL,
    client_id character varying(24) NOT NULL,
    invoice_id character varying(24),
    total numeric(20,4) NOT NULL
);

CREATE TABLE ub_deals (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    title character varying(200) NOT NULL,
    value numeric(20,4) NOT NULL,
    stage character varying(20) NOT NULL,
    lead_id character varying(24),
    client_id character varying(24)
);

CREATE TABLE ub_debit_note_items (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    debit_note_id character varying(24) NOT NULL,
    item_id character varying(24),
    description character varying(200) NOT NULL,
    quantity numeric(20,4) NOT NULL,
    rate numeric(20,4) NOT NULL,
    tax_id character varying(24),
    tax_amount numeric(20,4) NOT NULL,
    discount_id character varying(24),
    amount numeric(20,4) NOT NULL
);

CREATE TABLE ub_debit_notes (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    number character varying(30) NOT NULL,
    vendor_id character varying(24) NOT NULL,
    expense_id character varying(24),
    total numeric(20,4) NOT NULL
);

CREATE TABLE ub_discounts (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    name character varying(100) NOT NULL,
    percent numeric(20,4) NOT NULL
);

CREATE TABLE ub_documents (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    file_name character varying(200) NOT NULL,
    url character varying(500) NOT NULL,
    size_bytes bigint NOT NULL
);

CREATE TABLE ub_employee_salary_components (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    employee_id character varying(24) NOT NULL,
    salary_component_id character varying(24) NOT NULL,
    amount numeric(20,4) NOT NULL
);

CREATE TABLE ub_employee_spends (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    employee_id character varying(24) NOT NULL,
    expense_category_id character varying(24),
    amount numeric(20,4) NOT NULL,
    status character varying(20) NOT NULL
);

CREATE TABLE ub_employees (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    name character varying(200) NOT NULL,
    email character varying(254) NOT NULL,
    pan character varying(10) NOT NULL,
    uan character varying(12) NOT NULL,
    bank_account_number character varying(30) NOT NULL,
    ifsc character varying(11) NOT NULL,
    branch_id character varying(24),
    joined_on timestamp with time zone NOT NULL
);

CREATE TABLE ub_enquiries (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    name character varying(200) NOT NULL,
    message character varying(500) NOT NULL,
    lead_id character varying(24)
);

CREATE TABLE ub_expense_categories (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    name character varying(100) NOT NULL
);

CREATE TABLE ub_expenses (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    number character varying(30) NOT NULL,
    bill_date timestamp with time zone NOT NULL,
    vendor_id character varying(24),
    expense_category_id character varying(24),
    project_id character varying(24),
    tax_id character varying(24),
    purchase_order_id character varying(24),
    recurring_expense_id character varying(24),
    total numeric(20,4) NOT NULL,
    amount_paid numeric(20,4) NOT NULL,
    amount_debited numeric(20,4) NOT NULL,
    outstanding numeric(20,4) NOT NULL
);

CREATE TABLE ub_file_import_errors (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    file_import_id character varying(24) NOT NULL,
    row_number bigint NOT NULL,
    message character varying(300) NOT NULL
);

CREATE TABLE ub_file_imports (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    entity character varying(30) NOT NULL,
    file_name character varying(200) NOT NULL,
    rows_total bigint NOT NULL,
    rows_failed bigint NOT NULL,
    status character varying(20) NOT NULL
);

CREATE TABLE ub_inventory_ledgers (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    product_id character varying(24) NOT NULL,
    warehouse_id character varying(24) NOT NULL,
    quantity numeric(20,4) NOT NULL,
    reason character varying(40) NOT NULL
);

CREATE TABLE ub_invoice_items (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    invoice_id character varying(24) NOT NULL,
    item_id character varying(24),
    description character varying(200) NOT NULL,
    quantity numeric(20,4) NOT NULL,
    rate numeric(20,4) NOT NULL,
    tax_id character varying(24),
    tax_amount numeric(20,4) NOT NULL,
    discount_id character varying(24),
    amount numeric(20,4) NOT NULL
);

CREATE TABLE ub_invoices (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    number character varying(30) NOT NULL,
    issue_date timestamp with time zone NOT NULL,
    client_id character varying(24) NOT NULL,
    order_id character varying(24),
    project_id character varying(24),
    branch_id character varying(24),
    recurring_invoice_id character varying(24),
    sub_total numeric(20,4) NOT NULL,
    tax_total numeric(20,4) NOT NULL,
    total numeric(20,4) NOT NULL,
    amount_paid numeric(20,4) NOT NULL,
    amount_credited numeric(20,4) NOT NULL,
    outstanding numeric(20,4) NOT NULL
);

CREATE TABLE ub_items (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    name character varying(200) NOT NULL,
    kind character varying(10) NOT NULL,
    rate numeric(20,4) NOT NULL,
    product_id character varying(24),
    service_id character varying(24),
    tax_id character varying(24)
);

CREATE TABLE ub_lead_activities (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    lead_id character varying(24) NOT NULL,
    kind character varying(20) NOT NULL,
    note character varying(500) NOT NULL
);

CREATE TABLE ub_leads (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    name character varying(200) NOT NULL,
    source character varying(40) NOT NULL,
    status character varying(20) NOT NULL
);

CREATE TABLE ub_leave_allocations (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    employee_id character varying(24) NOT NULL,
    leave_policy_id character varying(24) NOT NULL,
    days bigint NOT NULL
);

CREATE TABLE ub_leave_applications (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    employee_id character varying(24) NOT NULL,
    leave_policy_id character varying(24),
    from_date timestamp with time zone NOT NULL,
    days bigint NOT NULL,
    status character varying(20) NOT NULL
);

CREATE TABLE ub_leave_policies (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    name character varying(100) NOT NULL,
    days_per_year bigint NOT NULL
);

CREATE TABLE ub_order_items (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    order_id character varying(24) NOT NULL,
    item_id character varying(24),
    description character varying(200) NOT NULL,
    quantity numeric(20,4) NOT NULL,
    rate numeric(20,4) NOT NULL,
    tax_id character varying(24),
    tax_amount numeric(20,4) NOT NULL,
    discount_id character varying(24),
    amount numeric(20,4) NOT NULL
);

CREATE TABLE ub_orders (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    number character varying(30) NOT NULL,
    client_id character varying(24) NOT NULL,
    proposal_id character varying(24),
    warehouse_id character varying(24),
    total numeric(20,4) NOT NULL
);

CREATE TABLE ub_organization_backups (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    url character varying(500) NOT NULL,
    size_bytes bigint NOT NULL
);

CREATE TABLE ub_outward_payment_allocations (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    outward_payment_id character varying(24) NOT NULL,
    expense_id character varying(24) NOT NULL,
    amount numeric(20,4) NOT NULL
);

CREATE TABLE ub_outward_payments (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    number character varying(30) NOT NULL,
    paid_on timestamp with time zone NOT NULL,
    vendor_id character varying(24) NOT NULL,
    account_id character varying(24) NOT NULL,
    amount numeric(20,4) NOT NULL
);

CREATE TABLE ub_payment_allocations (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    payment_id character varying(24) NOT NULL,
    invoice_id character varying(24) NOT NULL,
    amount numeric(20,4) NOT NULL
);

CREATE TABLE ub_payments (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    number character varying(30) NOT NULL,
    paid_on timestamp with time zone NOT NULL,
    client_id character varying(24) NOT NULL,
    account_id character varying(24) NOT NULL,
    amount numeric(20,4) NOT NULL,
    mode character varying(20) NOT NULL
);

CREATE TABLE ub_payrolls (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    month character varying(7) NOT NULL,
    account_id character varying(24) NOT NULL,
    total numeric(20,4) NOT NULL
);

CREATE TABLE ub_payslips (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    payroll_id character varying(24) NOT NULL,
    employee_id character varying(24) NOT NULL,
    gross numeric(20,4) NOT NULL,
    deductions numeric(20,4) NOT NULL,
    net numeric(20,4) NOT NULL
);

CREATE TABLE ub_platform_payments (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    subscription_id character varying(24) NOT NULL,
    amount numeric(20,4) NOT NULL,
    status character varying(20) NOT NULL
);

CREATE TABLE ub_platform_subscriptions (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    plan character varying(40) NOT NULL,
    starts_on timestamp with time zone NOT NULL,
    ends_on timestamp with time zone NOT NULL
);

CREATE TABLE ub_product_categories (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    name character varying(100) NOT NULL
);

CREATE TABLE ub_products (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    name character varying(200) NOT NULL,
    sku character varying(40) NOT NULL,
    hsn character varying(8) NOT NULL,
    sale_price numeric(20,4) NOT NULL,
    purchase_price numeric(20,4) NOT NULL,
    stock_on_hand numeric(20,4) NOT NULL,
    product_category_id character varying(24),
    brand_id character varying(24),
    tax_id character varying(24)
);

CREATE TABLE ub_projects (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    name character varying(200) NOT NULL,
    client_id character varying(24),
    budget numeric(20,4) NOT NULL,
    status character varying(20) NOT NULL
);

CREATE TABLE ub_proposal_items (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    proposal_id character varying(24) NOT NULL,
    item_id character varying(24),
    description character varying(200) NOT NULL,
    quantity numeric(20,4) NOT NULL,
    rate numeric(20,4) NOT NULL,
    tax_id character varying(24),
    tax_amount numeric(20,4) NOT NULL,
    discount_id character varying(24),
    amount numeric(20,4) NOT NULL
);

CREATE TABLE ub_proposals (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    number character varying(30) NOT NULL,
    client_id character varying(24),
    deal_id character varying(24),
    total numeric(20,4) NOT NULL
);

CREATE TABLE ub_purchase_order_items (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    purchase_order_id character varying(24) NOT NULL,
    item_id character varying(24),
    description character varying(200) NOT NULL,
    quantity numeric(20,4) NOT NULL,
    rate numeric(20,4) NOT NULL,
    tax_id character varying(24),
    tax_amount numeric(20,4) NOT NULL,
    discount_id character varying(24),
    amount numeric(20,4) NOT NULL
);

CREATE TABLE ub_purchase_orders (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    number character varying(30) NOT NULL,
    vendor_id character varying(24) NOT NULL,
    warehouse_id character varying(24),
    total numeric(20,4) NOT NULL
);

CREATE TABLE ub_recurring_expenses (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    vendor_id character varying(24),
    expense_category_id character varying(24),
    frequency character varying(10) NOT NULL,
    next_due timestamp with time zone NOT NULL,
    amount numeric(20,4) NOT NULL
);

CREATE TABLE ub_recurring_invoices (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    client_id character varying(24) NOT NULL,
    frequency character varying(10) NOT NULL,
    next_due timestamp with time zone NOT NULL,
    amount numeric(20,4) NOT NULL
);

CREATE TABLE ub_salary_components (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    name character varying(100) NOT NULL,
    kind character varying(10) NOT NULL
);

CREATE TABLE ub_services (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    name character varying(200) NOT NULL,
    sac character varying(8) NOT NULL,
    rate numeric(20,4) NOT NULL,
    tax_id character varying(24)
);

CREATE TABLE ub_settlements (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    payment_id character varying(24),
    bank_account_id character varying(24),
    amount numeric(20,4) NOT NULL,
    fee numeric(20,4) NOT NULL
);

CREATE TABLE ub_tasks (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    number character varying(20) NOT NULL,
    title character varying(200) NOT NULL,
    priority character varying(10) NOT NULL,
    project_id character varying(24)
);

CREATE TABLE ub_taxes (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    name character varying(100) NOT NULL,
    rate numeric(20,4) NOT NULL,
    kind character varying(10) NOT NULL
);

CREATE TABLE ub_user_invites (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    email character varying(254) NOT NULL,
    role character varying(10) NOT NULL
);

CREATE TABLE ub_vendor_ledgers (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    vendor_id character varying(24) NOT NULL,
    expense_id character varying(24),
    outward_payment_id character varying(24),
    debit_note_id character varying(24),
    posted_on timestamp with time zone NOT NULL,
    debit numeric(20,4) NOT NULL,
    credit numeric(20,4) NOT NULL
);

CREATE TABLE ub_vendors (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    name character varying(200) NOT NULL,
    email character varying(254) NOT NULL,
    phone character varying(20) NOT NULL,
    gstin character varying(15) NOT NULL,
    address text NOT NULL,
    balance numeric(20,4) NOT NULL
);

CREATE TABLE ub_warehouses (
    organization_id character varying(24) NOT NULL,
    id character varying(24) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    name character varying(100) NOT NULL,
    branch_id character varying(24)
);

CREATE TABLE ultrabiz_counters (
    organization_id character varying(24) NOT NULL,
    name character varying(40) NOT NULL,
    last_value bigint NOT NULL
);

CREATE TABLE ultrabiz_packings (
    organization_id character varying(24) NOT NULL,
    product_id character varying(50) NOT NULL,
    id integer NOT NULL,
    name character varying(100) NOT NULL,
    multiplier numeric(20,4) NOT NULL
);

CREATE TABLE ultrabiz_products (
    organization_id character varying(24) NOT NULL,
    id character varying(50) NOT NULL,
    name character varying(200) NOT NULL
);

CREATE TABLE ultrabiz_purchase_invoices (
    organization_id character varying(24) NOT NULL,
    id bigint NOT NULL,
    is_pgp boolean NOT NULL,
    is_open boolean NOT NULL,
    is_rate_change boolean NOT NULL,
    vendor_id integer NOT NULL,
    bill_no character varying(50) NOT NULL,
    bill_date timestamp with time zone,
    remarks character varying(500),
    gross_amount numeric(20,4) NOT NULL,
    disc_amount numeric(20,4) NOT NULL,
    s_tax_amount numeric(20,4) NOT NULL,
    f_tax_amount numeric(20,4) NOT NULL,
    i_tax_amount numeric(20,4) NOT NULL,
    net_amount numeric(20,4) NOT NULL,
    paid_amount numeric(20,4) NOT NULL,
    is_posted boolean NOT NULL,
    is_finalized boolean NOT NULL,
    created_by bigint NOT NULL,
    created_at timestamp with time zone,
    deleted_at timestamp with time zone,
    deleted_by bigint
);

CREATE TABLE ultrabiz_purchase_lines (
    organization_id character varying(24) NOT NULL,
    invoice_id bigint NOT NULL,
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
    deleted_at timestamp with time zone
);

CREATE TABLE ultrabiz_stocks (
    organization_id character varying(24) NOT NULL,
    product_id character varying(50) NOT NULL,
    size_id integer NOT NULL,
    color_id numeric(20,4) NOT NULL,
    units numeric(20,4) NOT NULL
);

CREATE TABLE ultrabiz_vendors (
    organization_id character varying(24) NOT NULL,
    id integer NOT NULL,
    name character varying(200) NOT NULL,
    balance numeric(20,4) NOT NULL,
    created_at timestamp with time zone
);

CREATE TABLE users (
    id character varying(36) NOT NULL,
    number bigint NOT NULL,
    email character varying(254) NOT NULL,
    name character varying(200) NOT NULL,
    password_hash character varying(100) NOT NULL,
    created_at timestamp with time zone
);

ALTER TABLE ONLY invx_documents
    ADD CONSTRAINT invx_documents_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY memberships
    ADD CONSTRAINT memberships_pkey PRIMARY KEY (organization_id, user_id);

ALTER TABLE ONLY organizations
    ADD CONSTRAINT organizations_pkey PRIMARY KEY (id);

ALTER TABLE ONLY ub_account_ledgers
    ADD CONSTRAINT ub_account_ledgers_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_account_transfers
    ADD CONSTRAINT ub_account_transfers_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_accounts
    ADD CONSTRAINT ub_accounts_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_activity_logs
    ADD CONSTRAINT ub_activity_logs_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_assets
    ADD CONSTRAINT ub_assets_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_backup_restores
    ADD CONSTRAINT ub_backup_restores_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_bank_accounts
    ADD CONSTRAINT ub_bank_accounts_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_branches
    ADD CONSTRAINT ub_branches_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_brands
    ADD CONSTRAINT ub_brands_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_client_ledgers
    ADD CONSTRAINT ub_client_ledgers_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_clients
    ADD CONSTRAINT ub_clients_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_contracts
    ADD CONSTRAINT ub_contracts_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_credit_note_items
    ADD CONSTRAINT ub_credit_note_items_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_credit_notes
    ADD CONSTRAINT ub_credit_notes_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_deals
    ADD CONSTRAINT ub_deals_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_debit_note_items
    ADD CONSTRAINT ub_debit_note_items_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_debit_notes
    ADD CONSTRAINT ub_debit_notes_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_discounts
    ADD CONSTRAINT ub_discounts_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_documents
    ADD CONSTRAINT ub_documents_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_employee_salary_components
    ADD CONSTRAINT ub_employee_salary_components_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_employee_spends
    ADD CONSTRAINT ub_employee_spends_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_employees
    ADD CONSTRAINT ub_employees_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_enquiries
    ADD CONSTRAINT ub_enquiries_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_expense_categories
    ADD CONSTRAINT ub_expense_categories_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_expenses
    ADD CONSTRAINT ub_expenses_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_file_import_errors
    ADD CONSTRAINT ub_file_import_errors_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_file_imports
    ADD CONSTRAINT ub_file_imports_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_inventory_ledgers
    ADD CONSTRAINT ub_inventory_ledgers_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_invoice_items
    ADD CONSTRAINT ub_invoice_items_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_invoices
    ADD CONSTRAINT ub_invoices_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_items
    ADD CONSTRAINT ub_items_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_lead_activities
    ADD CONSTRAINT ub_lead_activities_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_leads
    ADD CONSTRAINT ub_leads_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_leave_allocations
    ADD CONSTRAINT ub_leave_allocations_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_leave_applications
    ADD CONSTRAINT ub_leave_applications_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_leave_policies
    ADD CONSTRAINT ub_leave_policies_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_order_items
    ADD CONSTRAINT ub_order_items_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_orders
    ADD CONSTRAINT ub_orders_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_organization_backups
    ADD CONSTRAINT ub_organization_backups_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_outward_payment_allocations
    ADD CONSTRAINT ub_outward_payment_allocations_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_outward_payments
    ADD CONSTRAINT ub_outward_payments_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_payment_allocations
    ADD CONSTRAINT ub_payment_allocations_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_payments
    ADD CONSTRAINT ub_payments_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_payrolls
    ADD CONSTRAINT ub_payrolls_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_payslips
    ADD CONSTRAINT ub_payslips_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_platform_payments
    ADD CONSTRAINT ub_platform_payments_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_platform_subscriptions
    ADD CONSTRAINT ub_platform_subscriptions_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_product_categories
    ADD CONSTRAINT ub_product_categories_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_products
    ADD CONSTRAINT ub_products_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_projects
    ADD CONSTRAINT ub_projects_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_proposal_items
    ADD CONSTRAINT ub_proposal_items_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_proposals
    ADD CONSTRAINT ub_proposals_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_purchase_order_items
    ADD CONSTRAINT ub_purchase_order_items_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_purchase_orders
    ADD CONSTRAINT ub_purchase_orders_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_recurring_expenses
    ADD CONSTRAINT ub_recurring_expenses_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_recurring_invoices
    ADD CONSTRAINT ub_recurring_invoices_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_salary_components
    ADD CONSTRAINT ub_salary_components_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_services
    ADD CONSTRAINT ub_services_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_settlements
    ADD CONSTRAINT ub_settlements_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_tasks
    ADD CONSTRAINT ub_tasks_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_taxes
    ADD CONSTRAINT ub_taxes_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_user_invites
    ADD CONSTRAINT ub_user_invites_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_vendor_ledgers
    ADD CONSTRAINT ub_vendor_ledgers_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_vendors
    ADD CONSTRAINT ub_vendors_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ub_warehouses
    ADD CONSTRAINT ub_warehouses_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ultrabiz_counters
    ADD CONSTRAINT ultrabiz_counters_pkey PRIMARY KEY (organization_id, name);

ALTER TABLE ONLY ultrabiz_packings
    ADD CONSTRAINT ultrabiz_packings_pkey PRIMARY KEY (organization_id, product_id, id);

ALTER TABLE ONLY ultrabiz_products
    ADD CONSTRAINT ultrabiz_products_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ultrabiz_purchase_invoices
    ADD CONSTRAINT ultrabiz_purchase_invoices_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY ultrabiz_purchase_lines
    ADD CONSTRAINT ultrabiz_purchase_lines_pkey PRIMARY KEY (organization_id, invoice_id, line_no);

ALTER TABLE ONLY ultrabiz_stocks
    ADD CONSTRAINT ultrabiz_stocks_pkey PRIMARY KEY (organization_id, product_id, size_id, color_id);

ALTER TABLE ONLY ultrabiz_vendors
    ADD CONSTRAINT ultrabiz_vendors_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE ONLY users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);

CREATE UNIQUE INDEX idx_invx_documents_number ON invx_documents USING btree (organization_id, seller_gstin, doc_number);

CREATE INDEX idx_memberships_user_id ON memberships USING btree (user_id);

CREATE UNIQUE INDEX idx_organizations_code ON organizations USING btree (code);

CREATE INDEX idx_organizations_owner_user_id ON organizations USING btree (owner_user_id);

CREATE INDEX idx_ub_account_ledgers_account_id ON ub_account_ledgers USING btree (account_id);

CREATE INDEX idx_ub_account_ledgers_expense_id ON ub_account_ledgers USING btree (expense_id);

CREATE INDEX idx_ub_account_ledgers_invoice_id ON ub_account_ledgers USING btree (invoice_id);

CREATE INDEX idx_ub_account_ledgers_outward_payment_id ON ub_account_ledgers USING btree (outward_payment_id);

CREATE INDEX idx_ub_account_ledgers_payment_id ON ub_account_ledgers USING btree (payment_id);

CREATE INDEX idx_ub_account_ledgers_payroll_id ON ub_account_ledgers USING btree (payroll_id);

CREATE INDEX idx_ub_account_ledgers_transfer_id ON ub_account_ledgers USING btree (transfer_id);

CREATE INDEX idx_ub_account_transfers_from_account_id ON ub_account_transfers USING btree (from_account_id);

CREATE INDEX idx_ub_account_transfers_to_account_id ON ub_account_transfers USING btree (to_account_id);

CREATE INDEX idx_ub_assets_branch_id ON ub_assets USING btree (branch_id);

CREATE INDEX idx_ub_assets_employee_id ON ub_assets USING btree (employee_id);

CREATE INDEX idx_ub_backup_restores_backup_id ON ub_backup_restores USING btree (backup_id);

CREATE INDEX idx_ub_bank_accounts_account_id ON ub_bank_accounts USING btree (account_id);

CREATE INDEX idx_ub_client_ledgers_client_id ON ub_client_ledgers USING btree (client_id);

CREATE INDEX idx_ub_client_ledgers_credit_note_id ON ub_client_ledgers USING btree (credit_note_id);

CREATE INDEX idx_ub_client_ledgers_invoice_id ON ub_client_ledgers USING btree (invoice_id);

CREATE INDEX idx_ub_client_ledgers_payment_id ON ub_client_ledgers USING btree (payment_id);

CREATE INDEX idx_ub_contracts_client_id ON ub_contracts USING btree (client_id);

CREATE INDEX idx_ub_contracts_vendor_id ON ub_contracts USING btree (vendor_id);

CREATE INDEX idx_ub_credit_note_items_credit_note_id ON ub_credit_note_items USING btree (credit_note_id);

CREATE INDEX idx_ub_credit_note_items_discount_id ON ub_credit_note_items USING btree (discount_id);

CREATE INDEX idx_ub_credit_note_items_item_id ON ub_credit_note_items USING btree (item_id);

CREATE INDEX idx_ub_credit_note_items_tax_id ON ub_credit_note_items USING btree (tax_id);

CREATE INDEX idx_ub_credit_notes_client_id ON ub_credit_notes USING btree (client_id);

CREATE INDEX idx_ub_credit_notes_invoice_id ON ub_credit_notes USING btree (invoice_id);

CREATE INDEX idx_ub_deals_client_id ON ub_deals USING btree (client_id);

CREATE INDEX idx_ub_deals_lead_id ON ub_deals USING btree (lead_id);

CREATE INDEX idx_ub_debit_note_items_debit_note_id ON ub_debit_note_items USING btree (debit_note_id);

CREATE INDEX idx_ub_debit_note_items_discount_id ON ub_debit_note_items USING btree (discount_id);

CREATE INDEX idx_ub_debit_note_items_item_id ON ub_debit_note_items USING btree (item_id);

CREATE INDEX idx_ub_debit_note_items_tax_id ON ub_debit_note_items USING btree (tax_id);

CREATE INDEX idx_ub_debit_notes_expense_id ON ub_debit_notes USING btree (expense_id);

CREATE INDEX idx_ub_debit_notes_vendor_id ON ub_debit_notes USING btree (vendor_id);

CREATE INDEX idx_ub_employee_salary_components_employee_id ON ub_employee_salary_components USING btree (employee_id);

CREATE INDEX idx_ub_employee_salary_components_salary_component_id ON ub_employee_salary_components USING btree (salary_component_id);

CREATE INDEX idx_ub_employee_spends_employee_id ON ub_employee_spends USING btree (employee_id);

CREATE INDEX idx_ub_employee_spends_expense_category_id ON ub_employee_spends USING btree (expense_category_id);

CREATE INDEX idx_ub_employees_branch_id ON ub_employees USING btree (branch_id);

CREATE INDEX idx_ub_enquiries_lead_id ON ub_enquiries USING btree (lead_id);

CREATE INDEX idx_ub_expenses_expense_category_id ON ub_expenses USING btree (expense_category_id);

CREATE INDEX idx_ub_expenses_project_id ON ub_expenses USING btree (project_id);

CREATE INDEX idx_ub_expenses_purchase_order_id ON ub_expenses USING btree (purchase_order_id);

CREATE INDEX idx_ub_expenses_recurring_expense_id ON ub_expenses USING btree (recurring_expense_id);

CREATE INDEX idx_ub_expenses_tax_id ON ub_expenses USING btree (tax_id);

CREATE INDEX idx_ub_expenses_vendor_id ON ub_expenses USING btree (vendor_id);

CREATE INDEX idx_ub_file_import_errors_file_import_id ON ub_file_import_errors USING btree (file_import_id);

CREATE INDEX idx_ub_inventory_ledgers_product_id ON ub_inventory_ledgers USING btree (product_id);

CREATE INDEX idx_ub_inventory_ledgers_warehouse_id ON ub_inventory_ledgers USING btree (warehouse_id);

CREATE INDEX idx_ub_invoice_items_discount_id ON ub_invoice_items USING btree (discount_id);

CREATE INDEX idx_ub_invoice_items_invoice_id ON ub_invoice_items USING btree (invoice_id);

CREATE INDEX idx_ub_invoice_items_item_id ON ub_invoice_items USING btree (item_id);

CREATE INDEX idx_ub_invoice_items_tax_id ON ub_invoice_items USING btree (tax_id);

CREATE INDEX idx_ub_invoices_branch_id ON ub_invoices USING btree (branch_id);

CREATE INDEX idx_ub_invoices_client_id ON ub_invoices USING btree (client_id);

CREATE INDEX idx_ub_invoices_order_id ON ub_invoices USING btree (order_id);

CREATE INDEX idx_ub_invoices_project_id ON ub_invoices USING btree (project_id);

CREATE INDEX idx_ub_invoices_recurring_invoice_id ON ub_invoices USING btree (recurring_invoice_id);

CREATE INDEX idx_ub_items_product_id ON ub_items USING btree (product_id);

CREATE INDEX idx_ub_items_service_id ON ub_items USING btree (service_id);

CREATE INDEX idx_ub_items_tax_id ON ub_items USING btree (tax_id);

CREATE INDEX idx_ub_lead_activities_lead_id ON ub_lead_activities USING btree (lead_id);

CREATE INDEX idx_ub_leave_allocations_employee_id ON ub_leave_allocations USING btree (employee_id);

CREATE INDEX idx_ub_leave_allocations_leave_policy_id ON ub_leave_allocations USING btree (leave_policy_id);

CREATE INDEX idx_ub_leave_applications_employee_id ON ub_leave_applications USING btree (employee_id);

CREATE INDEX idx_ub_leave_applications_leave_policy_id ON ub_leave_applications USING btree (leave_policy_id);

CREATE INDEX idx_ub_order_items_discount_id ON ub_order_items USING btree (discount_id);

CREATE INDEX idx_ub_order_items_item_id ON ub_order_items USING btree (item_id);

CREATE INDEX idx_ub_order_items_order_id ON ub_order_items USING btree (order_id);

CREATE INDEX idx_ub_order_items_tax_id ON ub_order_items USING btree (tax_id);

CREATE INDEX idx_ub_orders_client_id ON ub_orders USING btree (client_id);

CREATE INDEX idx_ub_orders_proposal_id ON ub_orders USING btree (proposal_id);

CREATE INDEX idx_ub_orders_warehouse_id ON ub_orders USING btree (warehouse_id);

CREATE INDEX idx_ub_outward_payment_allocations_expense_id ON ub_outward_payment_allocations USING btree (expense_id);

CREATE INDEX idx_ub_outward_payment_allocations_outward_payment_id ON ub_outward_payment_allocations USING btree (outward_payment_id);

CREATE INDEX idx_ub_outward_payments_account_id ON ub_outward_payments USING btree (account_id);

CREATE INDEX idx_ub_outward_payments_vendor_id ON ub_outward_payments USING btree (vendor_id);

CREATE INDEX idx_ub_payment_allocations_invoice_id ON ub_payment_allocations USING btree (invoice_id);

CREATE INDEX idx_ub_payment_allocations_payment_id ON ub_payment_allocations USING btree (payment_id);

CREATE INDEX idx_ub_payments_account_id ON ub_payments USING btree (account_id);

CREATE INDEX idx_ub_payments_client_id ON ub_payments USING btree (client_id);

CREATE INDEX idx_ub_payrolls_account_id ON ub_payrolls USING btree (account_id);

CREATE INDEX idx_ub_payslips_employee_id ON ub_payslips USING btree (employee_id);

CREATE INDEX idx_ub_payslips_payroll_id ON ub_payslips USING btree (payroll_id);

CREATE INDEX idx_ub_platform_payments_subscription_id ON ub_platform_payments USING btree (subscription_id);

CREATE INDEX idx_ub_products_brand_id ON ub_products USING btree (brand_id);

CREATE INDEX idx_ub_products_product_category_id ON ub_products USING btree (product_category_id);

CREATE INDEX idx_ub_products_tax_id ON ub_products USING btree (tax_id);

CREATE INDEX idx_ub_projects_client_id ON ub_projects USING btree (client_id);

CREATE INDEX idx_ub_proposal_items_discount_id ON ub_proposal_items USING btree (discount_id);

CREATE INDEX idx_ub_proposal_items_item_id ON ub_proposal_items USING btree (item_id);

CREATE INDEX idx_ub_proposal_items_proposal_id ON ub_proposal_items USING btree (proposal_id);

CREATE INDEX idx_ub_proposal_items_tax_id ON ub_proposal_items USING btree (tax_id);

CREATE INDEX idx_ub_proposals_client_id ON ub_proposals USING btree (client_id);

CREATE INDEX idx_ub_proposals_deal_id ON ub_proposals USING btree (deal_id);

CREATE INDEX idx_ub_purchase_order_items_discount_id ON ub_purchase_order_items USING btree (discount_id);

CREATE INDEX idx_ub_purchase_order_items_item_id ON ub_purchase_order_items USING btree (item_id);

CREATE INDEX idx_ub_purchase_order_items_purchase_order_id ON ub_purchase_order_items USING btree (purchase_order_id);

CREATE INDEX idx_ub_purchase_order_items_tax_id ON ub_purchase_order_items USING btree (tax_id);

CREATE INDEX idx_ub_purchase_orders_vendor_id ON ub_purchase_orders USING btree (vendor_id);

CREATE INDEX idx_ub_purchase_orders_warehouse_id ON ub_purchase_orders USING btree (warehouse_id);

CREATE INDEX idx_ub_recurring_expenses_expense_category_id ON ub_recurring_expenses USING btree (expense_category_id);

CREATE INDEX idx_ub_recurring_expenses_vendor_id ON ub_recurring_expenses USING btree (vendor_id);

CREATE INDEX idx_ub_recurring_invoices_client_id ON ub_recurring_invoices USING btree (client_id);

CREATE INDEX idx_ub_services_tax_id ON ub_services USING btree (tax_id);

CREATE INDEX idx_ub_settlements_bank_account_id ON ub_settlements USING btree (bank_account_id);

CREATE INDEX idx_ub_settlements_payment_id ON ub_settlements USING btree (payment_id);

CREATE INDEX idx_ub_tasks_project_id ON ub_tasks USING btree (project_id);

CREATE INDEX idx_ub_vendor_ledgers_debit_note_id ON ub_vendor_ledgers USING btree (debit_note_id);

CREATE INDEX idx_ub_vendor_ledgers_expense_id ON ub_vendor_ledgers USING btree (expense_id);

CREATE INDEX idx_ub_vendor_ledgers_outward_payment_id ON ub_vendor_ledgers USING btree (outward_payment_id);

CREATE INDEX idx_ub_vendor_ledgers_vendor_id ON ub_vendor_ledgers USING btree (vendor_id);

CREATE INDEX idx_ub_warehouses_branch_id ON ub_warehouses USING btree (branch_id);

CREATE UNIQUE INDEX idx_users_email ON users USING btree (email);

CREATE UNIQUE INDEX idx_users_number ON users USING btree (number);

CREATE UNIQUE INDEX ux_ultrabiz_bill_no ON ultrabiz_purchase_invoices USING btree (organization_id, vendor_id, bill_no) WHERE (deleted_at IS NULL);

ALTER TABLE ONLY invx_documents
    ADD CONSTRAINT fk_invx_documents_organization FOREIGN KEY (organization_id) REFERENCES organizations(id) ON DELETE CASCADE;

ALTER TABLE ONLY memberships
    ADD CONSTRAINT fk_memberships_organization FOREIGN KEY (organization_id) REFERENCES organizations(id) ON DELETE CASCADE;

ALTER TABLE ONLY memberships
    ADD CONSTRAINT fk_memberships_user FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE;

ALTER TABLE ONLY organizations
    ADD CONSTRAINT fk_organizations_owner FOREIGN KEY (owner_user_id) REFERENCES users(id) ON DELETE RESTRICT;

ALTER TABLE ONLY ub_account_ledgers
    ADD CONSTRAINT fk_ub_account_ledgers_account FOREIGN KEY (organization_id, account_id) REFERENCES ub_accounts(organization_id, id);

ALTER TABLE ONLY ub_account_ledgers
    ADD CONSTRAINT fk_ub_account_ledgers_expense FOREIGN KEY (organization_id, expense_id) REFERENCES ub_expenses(organization_id, id);

ALTER TABLE ONLY ub_account_ledgers
    ADD CONSTRAINT fk_ub_account_ledgers_invoice FOREIGN KEY (organization_id, invoice_id) REFERENCES ub_invoices(organization_id, id);

ALTER TABLE ONLY ub_account_ledgers
    ADD CONSTRAINT fk_ub_account_ledgers_outward_payment FOREIGN KEY (organization_id, outward_payment_id) REFERENCES ub_outward_payments(organization_id, id);

ALTER TABLE ONLY ub_account_ledgers
    ADD CONSTRAINT fk_ub_account_ledgers_payment FOREIGN KEY (organization_id, payment_id) REFERENCES ub_payments(organization_id, id);

ALTER TABLE ONLY ub_account_ledgers
    ADD CONSTRAINT fk_ub_account_ledgers_payroll FOREIGN KEY (organization_id, payroll_id) REFERENCES ub_payrolls(organization_id, id);

ALTER TABLE ONLY ub_account_ledgers
    ADD CONSTRAINT fk_ub_account_ledgers_transfer FOREIGN KEY (organization_id, transfer_id) REFERENCES ub_account_transfers(organization_id, id);

ALTER TABLE ONLY ub_account_transfers
    ADD CONSTRAINT fk_ub_account_transfers_from_account FOREIGN KEY (organization_id, from_account_id) REFERENCES ub_accounts(organization_id, id);

ALTER TABLE ONLY ub_account_transfers
    ADD CONSTRAINT fk_ub_account_transfers_to_account FOREIGN KEY (organization_id, to_account_id) REFERENCES ub_accounts(organization_id, id);

ALTER TABLE ONLY ub_assets
    ADD CONSTRAINT fk_ub_assets_branch FOREIGN KEY (organization_id, branch_id) REFERENCES ub_branches(organization_id, id);

ALTER TABLE ONLY ub_assets
    ADD CONSTRAINT fk_ub_assets_employee FOREIGN KEY (organization_id, employee_id) REFERENCES ub_employees(organization_id, id);

ALTER TABLE ONLY ub_backup_restores
    ADD CONSTRAINT fk_ub_backup_restores_backup FOREIGN KEY (organization_id, backup_id) REFERENCES ub_organization_backups(organization_id, id);

ALTER TABLE ONLY ub_bank_accounts
    ADD CONSTRAINT fk_ub_bank_accounts_account FOREIGN KEY (organization_id, account_id) REFERENCES ub_accounts(organization_id, id);

ALTER TABLE ONLY ub_client_ledgers
    ADD CONSTRAINT fk_ub_client_ledgers_client FOREIGN KEY (organization_id, client_id) REFERENCES ub_clients(organization_id, id);

ALTER TABLE ONLY ub_client_ledgers
    ADD CONSTRAINT fk_ub_client_ledgers_credit_note FOREIGN KEY (organization_id, credit_note_id) REFERENCES ub_credit_notes(organization_id, id);

ALTER TABLE ONLY ub_client_ledgers
    ADD CONSTRAINT fk_ub_client_ledgers_invoice FOREIGN KEY (organization_id, invoice_id) REFERENCES ub_invoices(organization_id, id);

ALTER TABLE ONLY ub_client_ledgers
    ADD CONSTRAINT fk_ub_client_ledgers_payment FOREIGN KEY (organization_id, payment_id) REFERENCES ub_payments(organization_id, id);

ALTER TABLE ONLY ub_contracts
    ADD CONSTRAINT fk_ub_contracts_client FOREIGN KEY (organization_id, client_id) REFERENCES ub_clients(organization_id, id);

ALTER TABLE ONLY ub_contracts
    ADD CONSTRAINT fk_ub_contracts_vendor FOREIGN KEY (organization_id, vendor_id) REFERENCES ub_vendors(organization_id, id);

ALTER TABLE ONLY ub_credit_note_items
    ADD CONSTRAINT fk_ub_credit_note_items_credit_note FOREIGN KEY (organization_id, credit_note_id) REFERENCES ub_credit_notes(organization_id, id);

ALTER TABLE ONLY ub_credit_note_items
    ADD CONSTRAINT fk_ub_credit_note_items_discount FOREIGN KEY (organization_id, discount_id) REFERENCES ub_discounts(organization_id, id);

ALTER TABLE ONLY ub_credit_note_items
    ADD CONSTRAINT fk_ub_credit_note_items_item FOREIGN KEY (organization_id, item_id) REFERENCES ub_items(organization_id, id);

ALTER TABLE ONLY ub_credit_note_items
    ADD CONSTRAINT fk_ub_credit_note_items_tax FOREIGN KEY (organization_id, tax_id) REFERENCES ub_taxes(organization_id, id);

ALTER TABLE ONLY ub_credit_notes
    ADD CONSTRAINT fk_ub_credit_notes_client FOREIGN KEY (organization_id, client_id) REFERENCES ub_clients(organization_id, id);

ALTER TABLE ONLY ub_credit_notes
    ADD CONSTRAINT fk_ub_credit_notes_invoice FOREIGN KEY (organization_id, invoice_id) REFERENCES ub_invoices(organization_id, id);

ALTER TABLE ONLY ub_deals
    ADD CONSTRAINT fk_ub_deals_client FOREIGN KEY (organization_id, client_id) REFERENCES ub_clients(organization_id, id);

ALTER TABLE ONLY ub_deals
    ADD CONSTRAINT fk_ub_deals_lead FOREIGN KEY (organization_id, lead_id) REFERENCES ub_leads(organization_id, id);

ALTER TABLE ONLY ub_debit_note_items
    ADD CONSTRAINT fk_ub_debit_note_items_debit_note FOREIGN KEY (organization_id, debit_note_id) REFERENCES ub_debit_notes(organization_id, id);

ALTER TABLE ONLY ub_debit_note_items
    ADD CONSTRAINT fk_ub_debit_note_items_discount FOREIGN KEY (organization_id, discount_id) REFERENCES ub_discounts(organization_id, id);

ALTER TABLE ONLY ub_debit_note_items
    ADD CONSTRAINT fk_ub_debit_note_items_item FOREIGN KEY (organization_id, item_id) REFERENCES ub_items(organization_id, id);

ALTER TABLE ONLY ub_debit_note_items
    ADD CONSTRAINT fk_ub_debit_note_items_tax FOREIGN KEY (organization_id, tax_id) REFERENCES ub_taxes(organization_id, id);

ALTER TABLE ONLY ub_debit_notes
    ADD CONSTRAINT fk_ub_debit_notes_expense FOREIGN KEY (organization_id, expense_id) REFERENCES ub_expenses(organization_id, id);

ALTER TABLE ONLY ub_debit_notes
    ADD CONSTRAINT fk_ub_debit_notes_vendor FOREIGN KEY (organization_id, vendor_id) REFERENCES ub_vendors(organization_id, id);

ALTER TABLE ONLY ub_employee_salary_components
    ADD CONSTRAINT fk_ub_employee_salary_components_employee FOREIGN KEY (organization_id, employee_id) REFERENCES ub_employees(organization_id, id);

ALTER TABLE ONLY ub_employee_salary_components
    ADD CONSTRAINT fk_ub_employee_salary_components_salary_component FOREIGN KEY (organization_id, salary_component_id) REFERENCES ub_salary_components(organization_id, id);

ALTER TABLE ONLY ub_employee_spends
    ADD CONSTRAINT fk_ub_employee_spends_employee FOREIGN KEY (organization_id, employee_id) REFERENCES ub_employees(organization_id, id);

ALTER TABLE ONLY ub_employee_spends
    ADD CONSTRAINT fk_ub_employee_spends_expense_category FOREIGN KEY (organization_id, expense_category_id) REFERENCES ub_expense_categories(organization_id, id);

ALTER TABLE ONLY ub_employees
    ADD CONSTRAINT fk_ub_employees_branch FOREIGN KEY (organization_id, branch_id) REFERENCES ub_branches(organization_id, id);

ALTER TABLE ONLY ub_enquiries
    ADD CONSTRAINT fk_ub_enquiries_lead FOREIGN KEY (organization_id, lead_id) REFERENCES ub_leads(organization_id, id);

ALTER TABLE ONLY ub_expenses
    ADD CONSTRAINT fk_ub_expenses_expense_category FOREIGN KEY (organization_id, expense_category_id) REFERENCES ub_expense_categories(organization_id, id);

ALTER TABLE ONLY ub_expenses
    ADD CONSTRAINT fk_ub_expenses_project FOREIGN KEY (organization_id, project_id) REFERENCES ub_projects(organization_id, id);

ALTER TABLE ONLY ub_expenses
    ADD CONSTRAINT fk_ub_expenses_purchase_order FOREIGN KEY (organization_id, purchase_order_id) REFERENCES ub_purchase_orders(organization_id, id);

ALTER TABLE ONLY ub_expenses
    ADD CONSTRAINT fk_ub_expenses_recurring_expense FOREIGN KEY (organization_id, recurring_expense_id) REFERENCES ub_recurring_expenses(organization_id, id);

ALTER TABLE ONLY ub_expenses
    ADD CONSTRAINT fk_ub_expenses_tax FOREIGN KEY (organization_id, tax_id) REFERENCES ub_taxes(organization_id, id);

ALTER TABLE ONLY ub_expenses
    ADD CONSTRAINT fk_ub_expenses_vendor FOREIGN KEY (organization_id, vendor_id) REFERENCES ub_vendors(organization_id, id);

ALTER TABLE ONLY ub_file_import_errors
    ADD CONSTRAINT fk_ub_file_import_errors_file_import FOREIGN KEY (organization_id, file_import_id) REFERENCES ub_file_imports(organization_id, id);

ALTER TABLE ONLY ub_inventory_ledgers
    ADD CONSTRAINT fk_ub_inventory_ledgers_product FOREIGN KEY (organization_id, product_id) REFERENCES ub_products(organization_id, id);

ALTER TABLE ONLY ub_inventory_ledgers
    ADD CONSTRAINT fk_ub_inventory_ledgers_warehouse FOREIGN KEY (organization_id, warehouse_id) REFERENCES ub_warehouses(organization_id, id);

ALTER TABLE ONLY ub_invoice_items
    ADD CONSTRAINT fk_ub_invoice_items_discount FOREIGN KEY (organization_id, discount_id) REFERENCES ub_discounts(organization_id, id);

ALTER TABLE ONLY ub_invoice_items
    ADD CONSTRAINT fk_ub_invoice_items_invoice FOREIGN KEY (organization_id, invoice_id) REFERENCES ub_invoices(organization_id, id);

ALTER TABLE ONLY ub_invoice_items
    ADD CONSTRAINT fk_ub_invoice_items_item FOREIGN KEY (organization_id, item_id) REFERENCES ub_items(organization_id, id);

ALTER TABLE ONLY ub_invoice_items
    ADD CONSTRAINT fk_ub_invoice_items_tax FOREIGN KEY (organization_id, tax_id) REFERENCES ub_taxes(organization_id, id);

ALTER TABLE ONLY ub_invoices
    ADD CONSTRAINT fk_ub_invoices_branch FOREIGN KEY (organization_id, branch_id) REFERENCES ub_branches(organization_id, id);

ALTER TABLE ONLY ub_invoices
    ADD CONSTRAINT fk_ub_invoices_client FOREIGN KEY (organization_id, client_id) REFERENCES ub_clients(organization_id, id);

ALTER TABLE ONLY ub_invoices
    ADD CONSTRAINT fk_ub_invoices_order FOREIGN KEY (organization_id, order_id) REFERENCES ub_orders(organization_id, id);

ALTER TABLE ONLY ub_invoices
    ADD CONSTRAINT fk_ub_invoices_project FOREIGN KEY (organization_id, project_id) REFERENCES ub_projects(organization_id, id);

ALTER TABLE ONLY ub_invoices
    ADD CONSTRAINT fk_ub_invoices_recurring_invoice FOREIGN KEY (organization_id, recurring_invoice_id) REFERENCES ub_recurring_invoices(organization_id, id);

ALTER TABLE ONLY ub_items
    ADD CONSTRAINT fk_ub_items_product FOREIGN KEY (organization_id, product_id) REFERENCES ub_products(organization_id, id);

ALTER TABLE ONLY ub_items
    ADD CONSTRAINT fk_ub_items_service FOREIGN KEY (organization_id, service_id) REFERENCES ub_services(organization_id, id);

ALTER TABLE ONLY ub_items
    ADD CONSTRAINT fk_ub_items_tax FOREIGN KEY (organization_id, tax_id) REFERENCES ub_taxes(organization_id, id);

ALTER TABLE ONLY ub_lead_activities
    ADD CONSTRAINT fk_ub_lead_activities_lead FOREIGN KEY (organization_id, lead_id) REFERENCES ub_leads(organization_id, id);

ALTER TABLE ONLY ub_leave_allocations
    ADD CONSTRAINT fk_ub_leave_allocations_employee FOREIGN KEY (organization_id, employee_id) REFERENCES ub_employees(organization_id, id);

ALTER TABLE ONLY ub_leave_allocations
    ADD CONSTRAINT fk_ub_leave_allocations_leave_policy FOREIGN KEY (organization_id, leave_policy_id) REFERENCES ub_leave_policies(organization_id, id);

ALTER TABLE ONLY ub_leave_applications
    ADD CONSTRAINT fk_ub_leave_applications_employee FOREIGN KEY (organization_id, employee_id) REFERENCES ub_employees(organization_id, id);

ALTER TABLE ONLY ub_leave_applications
    ADD CONSTRAINT fk_ub_leave_applications_leave_policy FOREIGN KEY (organization_id, leave_policy_id) REFERENCES ub_leave_policies(organization_id, id);

ALTER TABLE ONLY ub_order_items
    ADD CONSTRAINT fk_ub_order_items_discount FOREIGN KEY (organization_id, discount_id) REFERENCES ub_discounts(organization_id, id);

ALTER TABLE ONLY ub_order_items
    ADD CONSTRAINT fk_ub_order_items_item FOREIGN KEY (organization_id, item_id) REFERENCES ub_items(organization_id, id);

ALTER TABLE ONLY ub_order_items
    ADD CONSTRAINT fk_ub_order_items_order FOREIGN KEY (organization_id, order_id) REFERENCES ub_orders(organization_id, id);

ALTER TABLE ONLY ub_order_items
    ADD CONSTRAINT fk_ub_order_items_tax FOREIGN KEY (organization_id, tax_id) REFERENCES ub_taxes(organization_id, id);

ALTER TABLE ONLY ub_orders
    ADD CONSTRAINT fk_ub_orders_client FOREIGN KEY (organization_id, client_id) REFERENCES ub_clients(organization_id, id);

ALTER TABLE ONLY ub_orders
    ADD CONSTRAINT fk_ub_orders_proposal FOREIGN KEY (organization_id, proposal_id) REFERENCES ub_proposals(organization_id, id);

ALTER TABLE ONLY ub_orders
    ADD CONSTRAINT fk_ub_orders_warehouse FOREIGN KEY (organization_id, warehouse_id) REFERENCES ub_warehouses(organization_id, id);

ALTER TABLE ONLY ub_outward_payment_allocations
    ADD CONSTRAINT fk_ub_outward_payment_allocations_expense FOREIGN KEY (organization_id, expense_id) REFERENCES ub_expenses(organization_id, id);

ALTER TABLE ONLY ub_outward_payment_allocations
    ADD CONSTRAINT fk_ub_outward_payment_allocations_outward_payment FOREIGN KEY (organization_id, outward_payment_id) REFERENCES ub_outward_payments(organization_id, id);

ALTER TABLE ONLY ub_outward_payments
    ADD CONSTRAINT fk_ub_outward_payments_account FOREIGN KEY (organization_id, account_id) REFERENCES ub_accounts(organization_id, id);

ALTER TABLE ONLY ub_outward_payments
    ADD CONSTRAINT fk_ub_outward_payments_vendor FOREIGN KEY (organization_id, vendor_id) REFERENCES ub_vendors(organization_id, id);

ALTER TABLE ONLY ub_payment_allocations
    ADD CONSTRAINT fk_ub_payment_allocations_invoice FOREIGN KEY (organization_id, invoice_id) REFERENCES ub_invoices(organization_id, id);

ALTER TABLE ONLY ub_payment_allocations
    ADD CONSTRAINT fk_ub_payment_allocations_payment FOREIGN KEY (organization_id, payment_id) REFERENCES ub_payments(organization_id, id);

ALTER TABLE ONLY ub_payments
    ADD CONSTRAINT fk_ub_payments_account FOREIGN KEY (organization_id, account_id) REFERENCES ub_accounts(organization_id, id);

ALTER TABLE ONLY ub_payments
    ADD CONSTRAINT fk_ub_payments_client FOREIGN KEY (organization_id, client_id) REFERENCES ub_clients(organization_id, id);

ALTER TABLE ONLY ub_payrolls
    ADD CONSTRAINT fk_ub_payrolls_account FOREIGN KEY (organization_id, account_id) REFERENCES ub_accounts(organization_id, id);

ALTER TABLE ONLY ub_payslips
    ADD CONSTRAINT fk_ub_payslips_employee FOREIGN KEY (organization_id, employee_id) REFERENCES ub_employees(organization_id, id);

ALTER TABLE ONLY ub_payslips
    ADD CONSTRAINT fk_ub_payslips_payroll FOREIGN KEY (organization_id, payroll_id) REFERENCES ub_payrolls(organization_id, id);

ALTER TABLE ONLY ub_platform_payments
    ADD CONSTRAINT fk_ub_platform_payments_subscription FOREIGN KEY (organization_id, subscription_id) REFERENCES ub_platform_subscriptions(organization_id, id);

ALTER TABLE ONLY ub_products
    ADD CONSTRAINT fk_ub_products_brand FOREIGN KEY (organization_id, brand_id) REFERENCES ub_brands(organization_id, id);

ALTER TABLE ONLY ub_products
    ADD CONSTRAINT fk_ub_products_product_category FOREIGN KEY (organization_id, product_category_id) REFERENCES ub_product_categories(organization_id, id);

ALTER TABLE ONLY ub_products
    ADD CONSTRAINT fk_ub_products_tax FOREIGN KEY (organization_id, tax_id) REFERENCES ub_taxes(organization_id, id);

ALTER TABLE ONLY ub_projects
    ADD CONSTRAINT fk_ub_projects_client FOREIGN KEY (organization_id, client_id) REFERENCES ub_clients(organization_id, id);

ALTER TABLE ONLY ub_proposal_items
    ADD CONSTRAINT fk_ub_proposal_items_discount FOREIGN KEY (organization_id, discount_id) REFERENCES ub_discounts(organization_id, id);

ALTER TABLE ONLY ub_proposal_items
    ADD CONSTRAINT fk_ub_proposal_items_item FOREIGN KEY (organization_id, item_id) REFERENCES ub_items(organization_id, id);

ALTER TABLE ONLY ub_proposal_items
    ADD CONSTRAINT fk_ub_proposal_items_proposal FOREIGN KEY (organization_id, proposal_id) REFERENCES ub_proposals(organization_id, id);

ALTER TABLE ONLY ub_proposal_items
    ADD CONSTRAINT fk_ub_proposal_items_tax FOREIGN KEY (organization_id, tax_id) REFERENCES ub_taxes(organization_id, id);

ALTER TABLE ONLY ub_proposals
    ADD CONSTRAINT fk_ub_proposals_client FOREIGN KEY (organization_id, client_id) REFERENCES ub_clients(organization_id, id);

ALTER TABLE ONLY ub_proposals
    ADD CONSTRAINT fk_ub_proposals_deal FOREIGN KEY (organization_id, deal_id) REFERENCES ub_deals(organization_id, id);

ALTER TABLE ONLY ub_purchase_order_items
    ADD CONSTRAINT fk_ub_purchase_order_items_discount FOREIGN KEY (organization_id, discount_id) REFERENCES ub_discounts(organization_id, id);

ALTER TABLE ONLY ub_purchase_order_items
    ADD CONSTRAINT fk_ub_purchase_order_items_item FOREIGN KEY (organization_id, item_id) REFERENCES ub_items(organization_id, id);

ALTER TABLE ONLY ub_purchase_order_items
    ADD CONSTRAINT fk_ub_purchase_order_items_purchase_order FOREIGN KEY (organization_id, purchase_order_id) REFERENCES ub_purchase_orders(organization_id, id);

ALTER TABLE ONLY ub_purchase_order_items
    ADD CONSTRAINT fk_ub_purchase_order_items_tax FOREIGN KEY (organization_id, tax_id) REFERENCES ub_taxes(organization_id, id);

ALTER TABLE ONLY ub_purchase_orders
    ADD CONSTRAINT fk_ub_purchase_orders_vendor FOREIGN KEY (organization_id, vendor_id) REFERENCES ub_vendors(organization_id, id);

ALTER TABLE ONLY ub_purchase_orders
    ADD CONSTRAINT fk_ub_purchase_orders_warehouse FOREIGN KEY (organization_id, warehouse_id) REFERENCES ub_warehouses(organization_id, id);

ALTER TABLE ONLY ub_recurring_expenses
    ADD CONSTRAINT fk_ub_recurring_expenses_expense_category FOREIGN KEY (organization_id, expense_category_id) REFERENCES ub_expense_categories(organization_id, id);

ALTER TABLE ONLY ub_recurring_expenses
    ADD CONSTRAINT fk_ub_recurring_expenses_vendor FOREIGN KEY (organization_id, vendor_id) REFERENCES ub_vendors(organization_id, id);

ALTER TABLE ONLY ub_recurring_invoices
    ADD CONSTRAINT fk_ub_recurring_invoices_client FOREIGN KEY (organization_id, client_id) REFERENCES ub_clients(organization_id, id);

ALTER TABLE ONLY ub_services
    ADD CONSTRAINT fk_ub_services_tax FOREIGN KEY (organization_id, tax_id) REFERENCES ub_taxes(organization_id, id);

ALTER TABLE ONLY ub_settlements
    ADD CONSTRAINT fk_ub_settlements_bank_account FOREIGN KEY (organization_id, bank_account_id) REFERENCES ub_bank_accounts(organization_id, id);

ALTER TABLE ONLY ub_settlements
    ADD CONSTRAINT fk_ub_settlements_payment FOREIGN KEY (organization_id, payment_id) REFERENCES ub_payments(organization_id, id);

ALTER TABLE ONLY ub_tasks
    ADD CONSTRAINT fk_ub_tasks_project FOREIGN KEY (organization_id, project_id) REFERENCES ub_projects(organization_id, id);

ALTER TABLE ONLY ub_vendor_ledgers
    ADD CONSTRAINT fk_ub_vendor_ledgers_debit_note FOREIGN KEY (organization_id, debit_note_id) REFERENCES ub_debit_notes(organization_id, id);

ALTER TABLE ONLY ub_vendor_ledgers
    ADD CONSTRAINT fk_ub_vendor_ledgers_expense FOREIGN KEY (organization_id, expense_id) REFERENCES ub_expenses(organization_id, id);

ALTER TABLE ONLY ub_vendor_ledgers
    ADD CONSTRAINT fk_ub_vendor_ledgers_outward_payment FOREIGN KEY (organization_id, outward_payment_id) REFERENCES ub_outward_payments(organization_id, id);

ALTER TABLE ONLY ub_vendor_ledgers
    ADD CONSTRAINT fk_ub_vendor_ledgers_vendor FOREIGN KEY (organization_id, vendor_id) REFERENCES ub_vendors(organization_id, id);

ALTER TABLE ONLY ub_warehouses
    ADD CONSTRAINT fk_ub_warehouses_branch FOREIGN KEY (organization_id, branch_id) REFERENCES ub_branches(organization_id, id);

ALTER TABLE ONLY ultrabiz_counters
    ADD CONSTRAINT fk_ultrabiz_counters_organization FOREIGN KEY (organization_id) REFERENCES organizations(id) ON DELETE CASCADE;

ALTER TABLE ONLY ultrabiz_products
    ADD CONSTRAINT fk_ultrabiz_products_organization FOREIGN KEY (organization_id) REFERENCES organizations(id) ON DELETE CASCADE;

ALTER TABLE ONLY ultrabiz_packings
    ADD CONSTRAINT fk_ultrabiz_products_packings FOREIGN KEY (organization_id, product_id) REFERENCES ultrabiz_products(organization_id, id) ON DELETE CASCADE;

ALTER TABLE ONLY ultrabiz_purchase_lines
    ADD CONSTRAINT fk_ultrabiz_purchase_invoices_lines FOREIGN KEY (organization_id, invoice_id) REFERENCES ultrabiz_purchase_invoices(organization_id, id);

ALTER TABLE ONLY ultrabiz_purchase_invoices
    ADD CONSTRAINT fk_ultrabiz_purchase_invoices_vendor FOREIGN KEY (organization_id, vendor_id) REFERENCES ultrabiz_vendors(organization_id, id);

ALTER TABLE ONLY ultrabiz_purchase_lines
    ADD CONSTRAINT fk_ultrabiz_purchase_lines_product FOREIGN KEY (organization_id, product_id) REFERENCES ultrabiz_products(organization_id, id);

ALTER TABLE ONLY ultrabiz_stocks
    ADD CONSTRAINT fk_ultrabiz_stocks_product FOREIGN KEY (organization_id, product_id) REFERENCES ultrabiz_products(organization_id, id) ON DELETE CASCADE;

ALTER TABLE ONLY ultrabiz_vendors
    ADD CONSTRAINT fk_ultrabiz_vendors_organization FOREIGN KEY (organization_id) REFERENCES organizations(id) ON DELETE CASCADE;

-- +goose Down
DROP TABLE users CASCADE;
DROP TABLE ultrabiz_vendors CASCADE;
DROP TABLE ultrabiz_stocks CASCADE;
DROP TABLE ultrabiz_purchase_lines CASCADE;
DROP TABLE ultrabiz_purchase_invoices CASCADE;
DROP TABLE ultrabiz_products CASCADE;
DROP TABLE ultrabiz_packings CASCADE;
DROP TABLE ultrabiz_counters CASCADE;
DROP TABLE ub_warehouses CASCADE;
DROP TABLE ub_vendors CASCADE;
DROP TABLE ub_vendor_ledgers CASCADE;
DROP TABLE ub_user_invites CASCADE;
DROP TABLE ub_taxes CASCADE;
DROP TABLE ub_tasks CASCADE;
DROP TABLE ub_settlements CASCADE;
DROP TABLE ub_services CASCADE;
DROP TABLE ub_salary_components CASCADE;
DROP TABLE ub_recurring_invoices CASCADE;
DROP TABLE ub_recurring_expenses CASCADE;
DROP TABLE ub_purchase_orders CASCADE;
DROP TABLE ub_purchase_order_items CASCADE;
DROP TABLE ub_proposals CASCADE;
DROP TABLE ub_proposal_items CASCADE;
DROP TABLE ub_projects CASCADE;
DROP TABLE ub_products CASCADE;
DROP TABLE ub_product_categories CASCADE;
DROP TABLE ub_platform_subscriptions CASCADE;
DROP TABLE ub_platform_payments CASCADE;
DROP TABLE ub_payslips CASCADE;
DROP TABLE ub_payrolls CASCADE;
DROP TABLE ub_payments CASCADE;
DROP TABLE ub_payment_allocations CASCADE;
DROP TABLE ub_outward_payments CASCADE;
DROP TABLE ub_outward_payment_allocations CASCADE;
DROP TABLE ub_organization_backups CASCADE;
DROP TABLE ub_orders CASCADE;
DROP TABLE ub_order_items CASCADE;
DROP TABLE ub_leave_policies CASCADE;
DROP TABLE ub_leave_applications CASCADE;
DROP TABLE ub_leave_allocations CASCADE;
DROP TABLE ub_leads CASCADE;
DROP TABLE ub_lead_activities CASCADE;
DROP TABLE ub_items CASCADE;
DROP TABLE ub_invoices CASCADE;
DROP TABLE ub_invoice_items CASCADE;
DROP TABLE ub_inventory_ledgers CASCADE;
DROP TABLE ub_file_imports CASCADE;
DROP TABLE ub_file_import_errors CASCADE;
DROP TABLE ub_expenses CASCADE;
DROP TABLE ub_expense_categories CASCADE;
DROP TABLE ub_enquiries CASCADE;
DROP TABLE ub_employees CASCADE;
DROP TABLE ub_employee_spends CASCADE;
DROP TABLE ub_employee_salary_components CASCADE;
DROP TABLE ub_documents CASCADE;
DROP TABLE ub_discounts CASCADE;
DROP TABLE ub_debit_notes CASCADE;
DROP TABLE ub_debit_note_items CASCADE;
DROP TABLE ub_deals CASCADE;
DROP TABLE ub_credit_notes CASCADE;
DROP TABLE ub_credit_note_items CASCADE;
DROP TABLE ub_contracts CASCADE;
DROP TABLE ub_clients CASCADE;
DROP TABLE ub_client_ledgers CASCADE;
DROP TABLE ub_brands CASCADE;
DROP TABLE ub_branches CASCADE;
DROP TABLE ub_bank_accounts CASCADE;
DROP TABLE ub_backup_restores CASCADE;
DROP TABLE ub_assets CASCADE;
DROP TABLE ub_activity_logs CASCADE;
DROP TABLE ub_accounts CASCADE;
DROP TABLE ub_account_transfers CASCADE;
DROP TABLE ub_account_ledgers CASCADE;
DROP TABLE organizations CASCADE;
DROP TABLE memberships CASCADE;
DROP TABLE invx_documents CASCADE;
