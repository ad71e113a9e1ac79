// Contract run: every operation of the three specs, for each status code a client can provoke,
// sent through Prism proxies in front of the live service. Prism with --errors rejects requests
// that break the spec before forwarding them (422), so valid requests go through the --errors
// proxy, where a response that breaks the spec becomes a 500; requests that must provoke 400, 401,
// 413 or 415 go through a second Prism proxy without --errors, which forwards them and logs any
// response violation (checked by scripts/contract/run). Every case also asserts its status.
//
// env: STRICT_<FAMILY>, LENIENT_<FAMILY> (proxy base URLs); DEMO_EMAIL, DEMO_PASSWORD.
const env = process.env;
const proxies = {};
for (const f of ["upbooks", "invx", "ultrabiz"]) {
  proxies[f] = { strict: env[`STRICT_${f.toUpperCase()}`], lenient: env[`LENIENT_${f.toUpperCase()}`] };
}

const results = [];
async function call(family, c) {
  const invalid = c.invalid === true;
  const base = invalid ? proxies[family].lenient : proxies[family].strict;
  const headers = { ...(c.headers || {}) };
  let body = c.body;
  if (body !== undefined && typeof body !== "string") {
    body = JSON.stringify(body);
    headers["Content-Type"] ??= "application/json";
  }
  const res = await fetch(base + c.path, { method: c.method, headers, body });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  const ok = res.status === c.expect;
  results.push({ family, op: c.op, status: res.status, expect: c.expect, ok, via: invalid ? "prism" : "prism --errors" });
  const mark = ok ? "ok  " : "FAIL";
  console.log(`${mark} ${family} ${c.op} ${c.name}: ${res.status} (want ${c.expect}) via ${invalid ? "prism" : "prism --errors"}`);
  if (!ok) console.log("     body:", text.slice(0, 600));
  return json;
}

const bearer = (t) => ({ Authorization: `Bearer ${t}` });
const hex24 = "0123456789abcdef01234567";
// Not the demo's document (that one is the spec's example, left for Swagger UI's "Try it out").
const unknownDoc = "0b0c6a52-5d0e-4b8f-9a57-4e8d3c1f2a10";
const flags = ["clients", "vendors", "assets", "employees", "expenses", "products", "services", "orders", "payments", "settlements", "invoice", "taxes", "discounts", "users", "items", "proposals", "purchaseOrders", "documents", "projects", "tasks", "payroll", "account", "enquiry", "outwardPayments", "creditNotes", "platformSubscriptions", "employeeLeaves", "fileImports", "activityLogs", "orgSettings", "organizationBackups", "leavePolicies", "bankAccounts", "accountLedger", "accountTransfer", "clientLedger", "salaryComponents", "leads", "leadActivities", "deals", "debitNotes", "expenseCategories", "warehouse", "branch", "contracts", "employeeSpends"];
const selective = (chosen) => Object.fromEntries(flags.map((f) => [f, chosen.includes(f) || chosen === "all"]));
const big = JSON.stringify({ username: "x".repeat(3 << 20), password: "x" });

// ---- Upbooks
const U = (c) => call("upbooks", c);
const login = await U({ op: "Login", name: "success", method: "POST", path: "/api/v1/auth/token/bearer", body: { username: env.DEMO_EMAIL, password: env.DEMO_PASSWORD }, expect: 200 });
const token = login?.data?.token;
const demoOrg = login?.data?.selectedOrganization;
const userNumber = login?.data?.user?.userNumber;
await U({ op: "Login", name: "validation", invalid: true, method: "POST", path: "/api/v1/auth/token/bearer", body: { username: env.DEMO_EMAIL }, expect: 400 });
await U({ op: "Login", name: "wrong password", method: "POST", path: "/api/v1/auth/token/bearer", body: { username: env.DEMO_EMAIL, password: "wrong-password" }, expect: 401 });
await U({ op: "Login", name: "foreign organization", method: "POST", path: "/api/v1/auth/token/bearer", body: { username: env.DEMO_EMAIL, password: env.DEMO_PASSWORD, organizationId: "999999x" }, expect: 403 });
await U({ op: "Login", name: "too large", invalid: true, method: "POST", path: "/api/v1/auth/token/bearer", body: big, headers: { "Content-Type": "application/json" }, expect: 413 });
await U({ op: "Login", name: "media type", invalid: true, method: "POST", path: "/api/v1/auth/token/bearer", body: "hello", headers: { "Content-Type": "text/plain" }, expect: 415 });

const added = await U({ op: "AddOrganization", name: "success", method: "POST", path: "/api/v1/organization", headers: bearer(token), body: { name: "Contract Co", location: "Pune", state: "Maharashtra" }, expect: 201 });
const newOrg = added?.data?._id;
await U({ op: "AddOrganization", name: "validation", invalid: true, method: "POST", path: "/api/v1/organization", headers: bearer(token), body: { name: "x" }, expect: 400 });
await U({ op: "AddOrganization", name: "no token", invalid: true, method: "POST", path: "/api/v1/organization", body: { name: "x", location: "y", state: "z" }, expect: 401 });
await U({ op: "AddOrganization", name: "media type", invalid: true, method: "POST", path: "/api/v1/organization", headers: { ...bearer(token), "Content-Type": "text/plain" }, body: "x", expect: 415 });

await U({ op: "GetOrganizations", name: "success", method: "GET", path: "/api/v1/organization?pageNo=1&pageSize=10&sortBy=name&sortOrder=1", headers: bearer(token), expect: 200 });
await U({ op: "GetOrganizations", name: "paging as headers", method: "GET", path: "/api/v1/organization", headers: { ...bearer(token), pageNo: "1", pageSize: "5", sortBy: "name", sortOrder: "-1" }, expect: 200 });
await U({ op: "GetOrganizations", name: "validation", invalid: true, method: "GET", path: "/api/v1/organization?pageSize=0", headers: bearer(token), expect: 400 });
await U({ op: "GetOrganizations", name: "bad token", method: "GET", path: "/api/v1/organization", headers: bearer("not.a.token"), expect: 401 });

await U({ op: "GetOrganizationDetail", name: "success", method: "GET", path: `/api/v1/organization/${demoOrg}`, headers: bearer(token), expect: 200 });
await U({ op: "GetOrganizationDetail", name: "validation", invalid: true, method: "GET", path: "/api/v1/organization/nope", headers: bearer(token), expect: 400 });
await U({ op: "GetOrganizationDetail", name: "header names another org", method: "GET", path: `/api/v1/organization/${demoOrg}`, headers: { ...bearer(token), "ORGANIZATION-ID": newOrg }, expect: 403 });
await U({ op: "GetOrganizationDetail", name: "not found", method: "GET", path: `/api/v1/organization/${hex24}`, headers: bearer(token), expect: 404 });
await U({ op: "GetOrganizationDetail", name: "no token", invalid: true, method: "GET", path: `/api/v1/organization/${demoOrg}`, expect: 401 });

const sel = (org, q = "") => `/api/v1/organization/${org}/selective${q}`;
await U({ op: "DeleteSelectiveData", name: "dry run", method: "DELETE", path: sel(demoOrg, "?dryRun=true"), headers: bearer(token), body: selective("all"), expect: 200 });
await U({ op: "DeleteSelectiveData", name: "blocked by kept invoices", method: "DELETE", path: sel(demoOrg), headers: bearer(token), body: selective(["clients"]), expect: 409 });
await U({ op: "DeleteSelectiveData", name: "success", method: "DELETE", path: sel(newOrg), headers: bearer(token), body: selective("all"), expect: 200 });
await U({ op: "DeleteSelectiveData", name: "validation", invalid: true, method: "DELETE", path: sel(demoOrg), headers: bearer(token), body: { clients: true }, expect: 400 });
await U({ op: "DeleteSelectiveData", name: "header names another org", method: "DELETE", path: sel(demoOrg), headers: { ...bearer(token), "ORGANIZATION-ID": newOrg }, body: selective([]), expect: 403 });
await U({ op: "DeleteSelectiveData", name: "not found", method: "DELETE", path: sel(hex24), headers: bearer(token), body: selective([]), expect: 404 });
await U({ op: "DeleteSelectiveData", name: "no token", invalid: true, method: "DELETE", path: sel(demoOrg), body: selective([]), expect: 401 });
await U({ op: "DeleteSelectiveData", name: "media type", invalid: true, method: "DELETE", path: sel(demoOrg), headers: { ...bearer(token), "Content-Type": "text/plain" }, body: "x", expect: 415 });

const backups = (org) => `/api/v1/organization/${org}/backup`;
const restores = (org) => `/api/v1/organization/${org}/backupRestore`;
const backup = await U({ op: "AddOrganizationBackup", name: "success", method: "POST", path: backups(demoOrg), headers: bearer(token), expect: 201 });
const backupId = backup?.data?._id;
await U({ op: "AddOrganizationBackup", name: "header names another org", method: "POST", path: backups(demoOrg), headers: { ...bearer(token), "ORGANIZATION-ID": newOrg }, expect: 403 });
await U({ op: "AddOrganizationBackup", name: "not found", method: "POST", path: backups(hex24), headers: bearer(token), expect: 404 });
await U({ op: "AddOrganizationBackup", name: "no token", invalid: true, method: "POST", path: backups(demoOrg), expect: 401 });
await U({ op: "GetAllBackups", name: "success", method: "GET", path: `${backups(demoOrg)}?pageNo=1&pageSize=5`, headers: bearer(token), expect: 200 });
await U({ op: "GetAllBackups", name: "validation", invalid: true, method: "GET", path: `${backups(demoOrg)}?pageSize=0`, headers: bearer(token), expect: 400 });
await U({ op: "GetAllBackups", name: "not found", method: "GET", path: backups(hex24), headers: bearer(token), expect: 404 });
await U({ op: "GetAllBackups", name: "no token", invalid: true, method: "GET", path: backups(demoOrg), expect: 401 });
// Tasks put back as they were: the demo data stays what Swagger UI's examples expect.
await U({ op: "AddBackupRestore", name: "success", method: "POST", path: restores(demoOrg), headers: bearer(token), body: { backupId, categories: selective(["tasks"]) }, expect: 201 });
await U({ op: "AddBackupRestore", name: "backups are not restorable", method: "POST", path: restores(demoOrg), headers: bearer(token), body: { backupId, categories: selective(["organizationBackups"]) }, expect: 400 });
await U({ op: "AddBackupRestore", name: "validation", invalid: true, method: "POST", path: restores(demoOrg), headers: bearer(token), body: { backupId }, expect: 400 });
await U({ op: "AddBackupRestore", name: "unknown backup", method: "POST", path: restores(demoOrg), headers: bearer(token), body: { backupId: hex24, categories: selective(["tasks"]) }, expect: 404 });
await U({ op: "AddBackupRestore", name: "header names another org", method: "POST", path: restores(demoOrg), headers: { ...bearer(token), "ORGANIZATION-ID": newOrg }, body: { backupId, categories: selective(["tasks"]) }, expect: 403 });
await U({ op: "AddBackupRestore", name: "no token", invalid: true, method: "POST", path: restores(demoOrg), body: { backupId, categories: selective(["tasks"]) }, expect: 401 });
await U({ op: "GetAllBackupRestores", name: "success", method: "GET", path: restores(demoOrg), headers: bearer(token), expect: 200 });
await U({ op: "GetAllBackupRestores", name: "not found", method: "GET", path: restores(hex24), headers: bearer(token), expect: 404 });
await U({ op: "GetAllBackupRestores", name: "no token", invalid: true, method: "GET", path: restores(demoOrg), expect: 401 });
// Background operations (Prefer: respond-async): 202 with Location, polled until final.
const async = { ...bearer(token), Prefer: "respond-async" };
const operation = (org, id) => `/api/v1/organization/${org}/operations${id ? `/${id}` : ""}`;
const accepted = await U({ op: "AddOrganizationBackup", name: "in the background", method: "POST", path: backups(demoOrg), headers: async, expect: 202 });
await U({ op: "DeleteSelectiveData", name: "dry run in the background", method: "DELETE", path: sel(demoOrg, "?dryRun=true"), headers: async, body: selective("all"), expect: 202 });
await U({ op: "AddBackupRestore", name: "in the background", method: "POST", path: restores(demoOrg), headers: async, body: { backupId, categories: selective(["tasks"]) }, expect: 202 });
const opId = accepted?.data?._id;
for (let i = 0; i < 200; i++) {
  const r = await fetch(proxies.upbooks.strict + operation(demoOrg, opId), { headers: bearer(token) });
  const state = r.ok ? (await r.json())?.data?.state : undefined;
  if (state !== "queued" && state !== "running") break;
  await new Promise((done) => setTimeout(done, 100));
}
const finished = await U({ op: "GetOperation", name: "success", method: "GET", path: operation(demoOrg, opId), headers: bearer(token), expect: 200 });
if (finished?.data?.state !== "succeeded" || finished?.data?.result?.status !== 201) {
  results.push({ family: "upbooks", op: "GetOperation", ok: false });
  console.log("FAIL upbooks GetOperation: the background backup did not succeed:", JSON.stringify(finished).slice(0, 600));
}
await U({ op: "GetOperation", name: "not found", method: "GET", path: operation(demoOrg, hex24), headers: bearer(token), expect: 404 });
await U({ op: "GetOperation", name: "validation", invalid: true, method: "GET", path: operation(demoOrg, "nope"), headers: bearer(token), expect: 400 });
await U({ op: "GetOperation", name: "no token", invalid: true, method: "GET", path: operation(demoOrg, opId), expect: 401 });
await U({ op: "GetAllOperations", name: "success", method: "GET", path: `${operation(demoOrg)}?pageNo=1&pageSize=5`, headers: bearer(token), expect: 200 });
await U({ op: "GetAllOperations", name: "not found", method: "GET", path: operation(hex24), headers: bearer(token), expect: 404 });
await U({ op: "GetAllOperations", name: "no token", invalid: true, method: "GET", path: operation(demoOrg), expect: 401 });
await U({ op: "CancelOperation", name: "already finished", method: "DELETE", path: operation(demoOrg, opId), headers: bearer(token), expect: 409 });
await U({ op: "CancelOperation", name: "not found", method: "DELETE", path: operation(demoOrg, hex24), headers: bearer(token), expect: 404 });
await U({ op: "CancelOperation", name: "no token", invalid: true, method: "DELETE", path: operation(demoOrg, opId), expect: 401 });

const logs = `/api/v1/organization/${demoOrg}/activityLog`;
await U({ op: "GetActivityLogs", name: "success", method: "GET", path: `${logs}?pageNo=1&pageSize=5`, headers: bearer(token), expect: 200 });
await U({ op: "GetActivityLogs", name: "validation", invalid: true, method: "GET", path: `${logs}?action=nope`, headers: bearer(token), expect: 400 });
await U({ op: "GetActivityLogs", name: "no token", invalid: true, method: "GET", path: logs, expect: 401 });
await U({ op: "GetActivityLogs", name: "header names another org", method: "GET", path: logs, headers: { ...bearer(token), "ORGANIZATION-ID": newOrg }, expect: 403 });
await U({ op: "GetActivityLogs", name: "not found", method: "GET", path: `/api/v1/organization/${hex24}/activityLog`, headers: bearer(token), expect: 404 });
await U({ op: "GetAllActivityLogs", name: "success", method: "GET", path: `/api/v1/organization/${newOrg}/activityLog/all?action=organization.deleteSelectiveData`, headers: bearer(token), expect: 200 });
await U({ op: "GetAllActivityLogs", name: "paging as headers", method: "GET", path: `${logs}/all`, headers: { ...bearer(token), pageSize: "2", sortBy: "action" }, expect: 200 });
await U({ op: "GetAllActivityLogs", name: "validation", invalid: true, method: "GET", path: `${logs}/all?sortBy=userId`, headers: bearer(token), expect: 400 });
await U({ op: "GetAllActivityLogs", name: "header names another org", method: "GET", path: `${logs}/all`, headers: { ...bearer(token), "ORGANIZATION-ID": newOrg }, expect: 403 });
await U({ op: "GetAllActivityLogs", name: "no token", invalid: true, method: "GET", path: `${logs}/all`, expect: 401 });
await U({ op: "GetAllActivityLogs", name: "not found", method: "GET", path: `/api/v1/organization/${hex24}/activityLog/all`, headers: bearer(token), expect: 404 });

// ---- invx
const I = (c) => call("invx", c);
const tok = await I({ op: "CreateAuthToken", name: "success", method: "POST", path: "/theodore/apis/v1/authtokens", body: { handle: env.DEMO_EMAIL, password: env.DEMO_PASSWORD, handleType: "email", tokenDurationInMins: 30 }, expect: 200 });
const userToken = tok?.data?.token;
await I({ op: "CreateAuthToken", name: "wrong password", method: "POST", path: "/theodore/apis/v1/authtokens", body: { handle: env.DEMO_EMAIL, password: "wrong-password", handleType: "email" }, expect: 401 });
await I({ op: "CreateAuthToken", name: "validation", invalid: true, method: "POST", path: "/theodore/apis/v1/authtokens", body: { handle: env.DEMO_EMAIL, handleType: "fax" }, expect: 400 });
const ut = { "X-FLYNN-N-USER-TOKEN": userToken };
const docs = `/invx/apis/v1/orgs/${demoOrg}/document`;
const docNo = "C" + Date.now().toString(36).toUpperCase().slice(-10);
const create = {
  Version: "1.1", TranDtls: { TaxSch: "GST", SupTyp: "B2B" }, DocDtls: { Typ: "INV", No: docNo, Dt: "23/01/2023" },
  SellerDtls: { Gstin: "27AAAPI3182M002", LglNm: "Seller Pvt Ltd", Addr1: "1 MG Road", Loc: "Pune", Pin: 411001, Stcd: "27" },
  BuyerDtls: { Gstin: "27ACBPN2353E1ZX", LglNm: "Buyer Traders", Pos: "27", Addr1: "2 Link Road", Loc: "Mumbai", Pin: 400001, Stcd: "27" },
  ItemList: [{ SlNo: "1", IsServc: "N", HsnCd: "1001", UnitPrice: 100, TotAmt: 100, AssAmt: 100, GstRt: 0, TotItemVal: 100 }],
  ValDtls: { AssVal: 100, TotInvVal: 100 },
};
const created = await I({ op: "CreateDocument", name: "success", method: "POST", path: docs, headers: ut, body: create, expect: 201 });
const docId = created?.data?.id;
await I({ op: "CreateDocument", name: "duplicate", method: "POST", path: docs, headers: ut, body: create, expect: 409 });
await I({ op: "CreateDocument", name: "bad GSTIN", invalid: true, method: "POST", path: docs, headers: ut, body: { ...create, BuyerDtls: { ...create.BuyerDtls, Gstin: "BAD" } }, expect: 400 });
await I({ op: "CreateDocument", name: "foreign org", method: "POST", path: `/invx/apis/v1/orgs/${hex24}/document`, headers: ut, body: create, expect: 403 });
await I({ op: "CreateDocument", name: "no token", invalid: true, method: "POST", path: docs, body: create, expect: 401 });
await I({ op: "GetDocument", name: "success", method: "GET", path: `${docs}/${docId}`, headers: ut, expect: 200 });
await I({ op: "GetDocument", name: "not found", method: "GET", path: `${docs}/${unknownDoc}`, headers: ut, expect: 404 });
await I({ op: "GetDocument", name: "validation", invalid: true, method: "GET", path: `${docs}/not-a-uuid`, headers: ut, expect: 400 });
await I({ op: "GetDocument", name: "expired-style bad token", method: "GET", path: `${docs}/${docId}`, headers: { "X-FLYNN-N-USER-TOKEN": "x.y.z" }, expect: 403 });
await I({ op: "UpdateDocument", name: "accept", method: "PATCH", path: docs, headers: ut, body: { docId, action: "acc", comments: "ok" }, expect: 200 });
await I({ op: "UpdateDocument", name: "delete", method: "PATCH", path: docs, headers: ut, body: { docId, action: "del" }, expect: 200 });
await I({ op: "UpdateDocument", name: "wrong state", method: "PATCH", path: docs, headers: ut, body: { docId, action: "dpt" }, expect: 400 });
await I({ op: "UpdateDocument", name: "not found", method: "PATCH", path: docs, headers: ut, body: { docId: unknownDoc, action: "del" }, expect: 404 });
await I({ op: "UpdateDocument", name: "validation", invalid: true, method: "PATCH", path: docs, headers: ut, body: { docId, action: "zap" }, expect: 400 });
await I({ op: "UpdateDocumentBulk", name: "mixed items", method: "PATCH", path: `${docs}/bulk`, headers: ut, body: [{ docId, action: "dpt" }, { docId: unknownDoc, action: "del" }], expect: 200 });
await I({ op: "UpdateDocumentBulk", name: "every item fails (status 0)", method: "PATCH", path: `${docs}/bulk`, headers: ut, body: [{ docId: unknownDoc, action: "del" }], expect: 200 });
await I({ op: "UpdateDocumentBulk", name: "too many", invalid: true, method: "PATCH", path: `${docs}/bulk`, headers: ut, body: Array.from({ length: 1001 }, () => ({ docId: unknownDoc, action: "del" })), expect: 400 });
await I({ op: "UpdateDocumentBulk", name: "foreign org", method: "PATCH", path: `/invx/apis/v1/orgs/${hex24}/document/bulk`, headers: ut, body: [{ docId, action: "del" }], expect: 403 });
await I({ op: "UpdateDocumentBulk", name: "media type", invalid: true, method: "PATCH", path: `${docs}/bulk`, headers: { ...ut, "Content-Type": "text/plain" }, body: "x", expect: 415 });

// ---- Ultrabiz
const B = (c) => call("ultrabiz", c);
const ub = bearer(token);
await B({ op: "GetVendor", name: "success", method: "GET", path: "/api/Vendor/GetVendor?vendorId=1", headers: ub, expect: 200 });
await B({ op: "GetVendor", name: "not found", method: "GET", path: "/api/Vendor/GetVendor?vendorId=99999", headers: ub, expect: 404 });
await B({ op: "GetVendor", name: "validation", invalid: true, method: "GET", path: "/api/Vendor/GetVendor?vendorId=abc", headers: ub, expect: 400 });
await B({ op: "GetProductStock", name: "success", method: "GET", path: "/api/Product/GetProductStock?productId=P-00001", headers: ub, expect: 200 });
await B({ op: "GetProductStock", name: "not found", method: "GET", path: "/api/Product/GetProductStock?productId=NOPE", headers: ub, expect: 404 });
await B({ op: "GetProductStock", name: "no token", invalid: true, method: "GET", path: "/api/Product/GetProductStock?productId=P-00001", expect: 401 });
const line = { ProductId: "P-00001", PackingId: 1, QtyPack: 2, QtyLose: 1, BnsLose: 1, PricePack: 120.5, STaxRatio: 18, TTLValue: 241, TTLSTax: 43.38, NetVal: 284.38 };
const purchase = { VendorID: 1, BillNo: "CT-" + Date.now(), BillDate: "2026-11-01T00:00:00Z", GrossAmount: 241, STaxAmount: 43.38, NetAmount: 284.38, ListBody: [line] };
const ins = await B({ op: "InsertPurchaseInvoice", name: "success", method: "POST", path: `/api/Purchase/InsertPurchaseInvoice?userId=${userNumber}`, headers: ub, body: purchase, expect: 200 });
const invoiceId = ins?.InvoiceId;
await B({ op: "InsertPurchaseInvoice", name: "duplicate bill", method: "POST", path: `/api/Purchase/InsertPurchaseInvoice?userId=${userNumber}`, headers: ub, body: purchase, expect: 409 });
await B({ op: "InsertPurchaseInvoice", name: "unknown vendor", method: "POST", path: `/api/Purchase/InsertPurchaseInvoice?userId=${userNumber}`, headers: ub, body: { ...purchase, VendorID: 99999, BillNo: "X-" + Date.now() }, expect: 404 });
await B({ op: "InsertPurchaseInvoice", name: "someone else's userId", method: "POST", path: `/api/Purchase/InsertPurchaseInvoice?userId=${userNumber + 1000}`, headers: ub, body: purchase, expect: 403 });
await B({ op: "InsertPurchaseInvoice", name: "validation", invalid: true, method: "POST", path: `/api/Purchase/InsertPurchaseInvoice?userId=${userNumber}`, headers: ub, body: { ...purchase, ListBody: [] }, expect: 400 });
const stored = await B({ op: "GetPurchaseInvoice", name: "success", method: "GET", path: `/api/Purchase/GetPurchaseInvoice?invoiceId=${invoiceId}`, headers: ub, expect: 200 });
// The delete body is the caller's view of the invoice: the lines as read back.
const view = stored?.ListBody ?? [];
await B({ op: "GetPurchaseInvoice", name: "other book", method: "GET", path: `/api/Purchase/GetPurchaseInvoice?invoiceId=${invoiceId}&isPGP=true`, headers: ub, expect: 404 });
const del = (q) => `/api/Purchase/DeletePurchaseInvoice?invoiceId=${invoiceId}&userId=${userNumber}${q || ""}`;
await B({ op: "DeletePurchaseInvoice", name: "stale view", method: "DELETE", path: del(), headers: ub, body: view.map((l) => ({ ...l, QtyPack: 3 })), expect: 409 });
await B({ op: "DeletePurchaseInvoice", name: "someone else's userId", method: "DELETE", path: `/api/Purchase/DeletePurchaseInvoice?invoiceId=${invoiceId}&userId=${userNumber + 1000}`, headers: ub, expect: 403 });
await B({ op: "DeletePurchaseInvoice", name: "success", method: "DELETE", path: del(), headers: ub, body: view, expect: 200 });
await B({ op: "DeletePurchaseInvoice", name: "already deleted", method: "DELETE", path: del(), headers: ub, expect: 404 });
await B({ op: "DeletePurchaseInvoice", name: "validation", invalid: true, method: "DELETE", path: "/api/Purchase/DeletePurchaseInvoice?invoiceId=abc&userId=1", headers: ub, expect: 400 });
await B({ op: "DeletePurchaseInvoice", name: "no token", invalid: true, method: "DELETE", path: del(), expect: 401 });
await B({ op: "DeletePurchaseInvoice", name: "media type", invalid: true, method: "DELETE", path: del(), headers: { ...ub, "Content-Type": "text/csv" }, body: "a,b", expect: 415 });

// Purchase returns: a fresh invoice gives the stock a return takes back out.
const ins2 = await B({ op: "InsertPurchaseInvoice", name: "stock for a return", method: "POST", path: `/api/Purchase/InsertPurchaseInvoice?userId=${userNumber}`, headers: ub, body: { ...purchase, BillNo: "CTR-" + Date.now() }, expect: 200 });
const purchaseReturn = { VendorID: 1, ReturnNo: "RT-" + Date.now(), ReturnDate: "2026-11-02T00:00:00Z", NetAmount: 142.19, ListBody: [{ ...line, QtyPack: 1 }] };
const insR = (q) => `/api/Purchase/InsertPurchaseReturn?userId=${q ?? userNumber}`;
const rins = await B({ op: "InsertPurchaseReturn", name: "success", method: "POST", path: insR(), headers: ub, body: purchaseReturn, expect: 200 });
const returnId = rins?.ReturnId;
await B({ op: "InsertPurchaseReturn", name: "duplicate return number", method: "POST", path: insR(), headers: ub, body: purchaseReturn, expect: 409 });
await B({ op: "InsertPurchaseReturn", name: "more than is held", method: "POST", path: insR(), headers: ub, body: { ...purchaseReturn, ReturnNo: "RT-big-" + Date.now(), ListBody: [{ ...line, QtyPack: 1000000 }] }, expect: 409 });
await B({ op: "InsertPurchaseReturn", name: "unknown vendor", method: "POST", path: insR(), headers: ub, body: { ...purchaseReturn, VendorID: 99999 }, expect: 404 });
await B({ op: "InsertPurchaseReturn", name: "someone else's userId", method: "POST", path: insR(userNumber + 1000), headers: ub, body: purchaseReturn, expect: 403 });
await B({ op: "InsertPurchaseReturn", name: "validation", invalid: true, method: "POST", path: insR(), headers: ub, body: { ...purchaseReturn, ListBody: [] }, expect: 400 });
await B({ op: "InsertPurchaseReturn", name: "no token", invalid: true, method: "POST", path: insR(), body: purchaseReturn, expect: 401 });
await B({ op: "InsertPurchaseReturn", name: "media type", invalid: true, method: "POST", path: insR(), headers: { ...ub, "Content-Type": "text/csv" }, body: "a,b", expect: 415 });
const delR = (q) => `/api/Purchase/DeletePurchaseReturn?returnId=${returnId}&userId=${userNumber}${q || ""}`;
await B({ op: "DeletePurchaseReturn", name: "stale view", method: "DELETE", path: delR(), headers: ub, body: [{ ...line, QtyPack: 3 }], expect: 409 });
await B({ op: "DeletePurchaseReturn", name: "someone else's userId", method: "DELETE", path: `/api/Purchase/DeletePurchaseReturn?returnId=${returnId}&userId=${userNumber + 1000}`, headers: ub, expect: 403 });
await B({ op: "DeletePurchaseReturn", name: "other book", method: "DELETE", path: delR("&isPGP=true"), headers: ub, expect: 404 });
await B({ op: "DeletePurchaseReturn", name: "success", method: "DELETE", path: delR(), headers: ub, body: [{ ...line, QtyPack: 1 }], expect: 200 });
await B({ op: "DeletePurchaseReturn", name: "already deleted", method: "DELETE", path: delR(), headers: ub, expect: 404 });
await B({ op: "DeletePurchaseReturn", name: "no returnId (no action matches)", invalid: true, method: "DELETE", path: `/api/Purchase/DeletePurchaseReturn?userId=${userNumber}`, headers: ub, expect: 404 });
await B({ op: "DeletePurchaseReturn", name: "validation", invalid: true, method: "DELETE", path: "/api/Purchase/DeletePurchaseReturn?returnId=abc&userId=1", headers: ub, expect: 400 });
await B({ op: "DeletePurchaseReturn", name: "no token", invalid: true, method: "DELETE", path: delR(), expect: 401 });
await B({ op: "DeletePurchaseReturn", name: "media type", invalid: true, method: "DELETE", path: delR(), headers: { ...ub, "Content-Type": "text/csv" }, body: "a,b", expect: 415 });
if (ins2?.InvoiceId) {
  await B({ op: "DeletePurchaseInvoice", name: "after its goods' return was deleted", method: "DELETE", path: `/api/Purchase/DeletePurchaseInvoice?invoiceId=${ins2.InvoiceId}&userId=${userNumber}`, headers: ub, expect: 200 });
}

const ops = new Set(results.map((r) => `${r.family}.${r.op}`));
// Every operation of the specs has cases: a new operation without them fails the run.
const yamlModule = await import("yaml");
const parse = yamlModule.parse ?? yamlModule.default.parse;
const { readFileSync } = await import("node:fs");
for (const f of ["upbooks", "invx", "ultrabiz"]) {
  const spec = parse(readFileSync(new URL(`../../openapi/${f}.yaml`, import.meta.url), "utf8"));
  for (const item of Object.values(spec.paths)) {
    for (const op of Object.values(item)) {
      if (op?.operationId && !ops.has(`${f}.${op.operationId}`)) {
        results.push({ family: f, op: op.operationId, ok: false });
        console.log(`FAIL ${f} ${op.operationId}: no contract case`);
      }
    }
  }
}
const failed = results.filter((r) => !r.ok);
console.log(`\ncontract: ${ops.size} operations, ${results.length} cases`);
console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
process.exit(failed.length ? 1 : 0);
