// The main flow of each family through the generated TypeScript SDK (openapi-typescript types +
// openapi-fetch): log in, create what will be deleted, delete it, read the result.
// usage: node .build/scripts/examples/flow.js <baseURL> <email> <password>
import createClient from "openapi-fetch";
import type { paths as Upbooks } from "../../gen/ts/upbooks.js";
import type { paths as Invx } from "../../gen/ts/invx.js";
import type { paths as Ultrabiz } from "../../gen/ts/ultrabiz.js";

const [baseUrl = "http://localhost:8080", email = "demo@example.com", password = "demo12345"] = process.argv.slice(2);

function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} failed`);
  return value;
}

// Upbooks: log in, create an organization, erase its settings and data, read it back.
const upbooks = createClient<Upbooks>({ baseUrl });
const login = must((await upbooks.POST("/api/v1/auth/token/bearer", { body: { username: email, password } })).data, "login");
const auth = { Authorization: `Bearer ${login.data.token}` };
const org = must((await upbooks.POST("/api/v1/organization", { headers: auth, body: { name: "Scratch Books", location: "Pune", state: "Maharashtra" } })).data, "add organization");
const flags = ["clients", "vendors", "assets", "employees", "expenses", "products", "services", "orders", "payments", "settlements", "invoice", "taxes", "discounts", "users", "items", "proposals", "purchaseOrders", "documents", "projects", "tasks", "payroll", "account", "enquiry", "outwardPayments", "creditNotes", "platformSubscriptions", "employeeLeaves", "fileImports", "activityLogs", "orgSettings", "organizationBackups", "leavePolicies", "bankAccounts", "accountLedger", "accountTransfer", "clientLedger", "salaryComponents", "leads", "leadActivities", "deals", "debitNotes", "expenseCategories", "warehouse", "branch", "contracts", "employeeSpends"] as const;
type Selective = Upbooks["/api/v1/organization/{id}/selective"]["delete"]["requestBody"]["content"]["application/json"];
const everything = Object.fromEntries(flags.map((f) => [f, true])) as Selective;
const erased = must((await upbooks.DELETE("/api/v1/organization/{id}/selective", { params: { path: { id: org.data._id } }, headers: auth, body: everything })).data, "delete selective data");
// Without Prefer: respond-async the answer is the 200 (a 202 would carry an operation instead).
if (!("deleted" in erased)) throw new Error("delete selective data: answered in the background");
const after = must((await upbooks.GET("/api/v1/organization/{id}", { params: { path: { id: org.data._id } }, headers: auth })).data, "read organization");
console.log(`upbooks: organization ${after.data.name} kept, ${Object.values(erased.deleted).reduce((a, b) => a + b, 0)} rows erased, invoice series ${after.data.settings.invoice.prefix}`);

// invx: token, create a document, delete it in bulk, read it (still there, status 260).
const invx = createClient<Invx>({ baseUrl });
const tok = must((await invx.POST("/theodore/apis/v1/authtokens", { body: { handle: email, password, handleType: "email" } })).data, "auth token");
const user = { "X-FLYNN-N-USER-TOKEN": tok.data.token };
const orgPath = { "iridessa-version": "v1" as const, "org-id": login.data.selectedOrganization };
const docNo = "TS" + Date.now().toString(36).toUpperCase().slice(-10);
const doc = must((await invx.POST("/invx/apis/{iridessa-version}/orgs/{org-id}/document", {
  params: { path: orgPath }, headers: user,
  body: {
    Version: "1.1", TranDtls: { TaxSch: "GST", SupTyp: "B2B" }, DocDtls: { Typ: "INV", No: docNo, Dt: "23/01/2023" },
    SellerDtls: { Gstin: "27AAAPI3182M002", LglNm: "Seller Pvt Ltd", Addr1: "1 MG Road", Loc: "Pune", Pin: 411001, Stcd: "27" },
    BuyerDtls: { Gstin: "27ACBPN2353E1ZX", LglNm: "Buyer Traders", Pos: "27", Addr1: "2 Link Road", Loc: "Mumbai", Pin: 400001, Stcd: "27" },
    ItemList: [{ SlNo: "1", IsServc: "N", HsnCd: "1001", UnitPrice: 100, TotAmt: 100, AssAmt: 100, GstRt: 0, TotItemVal: 100 }],
    ValDtls: { AssVal: 100, TotInvVal: 100 },
  },
})).data, "create document");
const bulk = must((await invx.PATCH("/invx/apis/{iridessa-version}/orgs/{org-id}/document/bulk", { params: { path: orgPath }, headers: user, body: [{ docId: doc.data.id, action: "del" }] })).data, "bulk delete");
const read = must((await invx.GET("/invx/apis/{iridessa-version}/orgs/{org-id}/document/{doc-id}", { params: { path: { ...orgPath, "doc-id": doc.data.id } }, headers: user })).data, "read document");
if (read.data.status !== "260" || bulk.data[0]?.itemStatus !== "1") throw new Error("document not deleted");
console.log(`invx: document ${read.data.docNumber} is now status ${read.data.status}`);

// Ultrabiz: enter a purchase invoice, delete it, and see the stock come back.
const ultrabiz = createClient<Ultrabiz>({ baseUrl });
const userId = login.data.user.userNumber;
const stock = async () => must((await ultrabiz.GET("/api/Product/GetProductStock", { params: { query: { productId: "P-00001" } }, headers: auth })).data, "stock").TotalUnits;
const before = await stock();
const line = { ProductId: "P-00001", PackingId: 1, QtyPack: 2, QtyLose: 1, PricePack: 120.5, NetVal: 241 };
const ins = must((await ultrabiz.POST("/api/Purchase/InsertPurchaseInvoice", {
  params: { query: { userId } }, headers: auth,
  body: { VendorID: 1, BillNo: "TS-" + Date.now(), BillDate: new Date().toISOString(), NetAmount: 241, ListBody: [line] },
})).data, "insert invoice");
const during = await stock();
// The delete body is the caller's view of the invoice (a stale view is refused with 409).
const view = must((await ultrabiz.GET("/api/Purchase/GetPurchaseInvoice", { params: { query: { invoiceId: ins.InvoiceId } }, headers: auth })).data, "read invoice");
const del = must((await ultrabiz.DELETE("/api/Purchase/DeletePurchaseInvoice", { params: { query: { invoiceId: ins.InvoiceId, userId } }, headers: auth, body: view.ListBody })).data, "delete invoice");
const end = await stock();
if (end !== before) throw new Error(`stock ${end} is not back to ${before}`);
console.log(`ultrabiz: invoice ${del.InvoiceId} deleted; P-00001 stock ${before} -> ${during} -> ${end}`);
