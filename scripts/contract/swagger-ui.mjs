// Drives Swagger UI in Debian's headless Chromium (playwright-core, no downloaded browser): the page
// loads with no network but the service, lists the three specs, and for each family the headline
// delete's "Try it out", executed as it comes (the spec's example parameters and body, nothing
// typed), after authorizing with the demo token, answers 200: the demo tenant is the examples'.
// Screenshots go to the artifact folder.
//
// usage: node scripts/contract/swagger-ui.mjs <baseURL> <token> <artifactDir>
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const [baseURL, token, outDir] = process.argv.slice(2);
if (!baseURL || !token || !outDir) {
  console.error("usage: swagger-ui.mjs <baseURL> <token> <artifactDir>");
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

// Each family's headline delete, with nothing filled in by hand.
const calls = [
  { family: "upbooks", op: "#operations-Organization-DeleteSelectiveData", params: {} },
  { family: "invx", op: "#operations-Documents-UpdateDocumentBulk", params: {} },
  { family: "ultrabiz", op: "#operations-Purchase-DeletePurchaseInvoice", params: {} },
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
let failed = false;
const outside = [];
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  // Waits are for conditions; the limits are generous so a busy CI machine is slow, not failed.
  page.setDefaultTimeout(120000);
  page.setDefaultNavigationTimeout(120000);
  // Offline: any request that leaves the service is recorded and fails the run.
  const origin = new URL(baseURL).origin;
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith("data:")) return route.continue();
    outside.push(url);
    return route.abort();
  });
  await page.goto(baseURL + "/docs/", { waitUntil: "networkidle" });
  await page.waitForSelector(".download-url-wrapper select option", { state: "attached", timeout: 120000 });
  const options = await page.$$eval(".download-url-wrapper select option", (os) => os.map((o) => o.textContent));
  console.log("specs listed:", options.join(", "));
  for (const want of ["upbooks", "invx", "ultrabiz"]) {
    if (!options.includes(want)) throw new Error(`Swagger UI does not list ${want}`);
  }
  for (const call of calls) {
    await page.selectOption(".download-url-wrapper select", { label: call.family });
    await page.waitForSelector(call.op, { timeout: 120000 });
    // Authorize every scheme the spec offers with the demo token.
    await page.click(".btn.authorize");
    const inputs = await page.$$(".modal-ux input[type=text], .modal-ux input[type=password]");
    for (const input of inputs) await input.fill(token);
    for (const btn of await page.$$(".modal-ux .auth-btn-wrapper .authorize")) await btn.click();
    await page.click(".modal-ux .btn-done, .modal-ux .close-modal");
    await page.click(`${call.op} .opblock-summary`);
    await page.click(`${call.op} .try-out__btn`);
    for (const [name, value] of Object.entries(call.params)) {
      await page.fill(`${call.op} tr[data-param-name="${name}"] input`, String(value));
    }
    await page.click(`${call.op} .execute`);
    const status = await page.waitForSelector(`${call.op} .live-responses-table .response .response-col_status`, { timeout: 120000 });
    const code = (await status.textContent()).trim();
    await page.screenshot({ path: `${outDir}/swagger-ui-${call.family}.png`, fullPage: false });
    console.log(`${call.family}: Try it out ${call.op} -> ${code}`);
    if (code !== "200") failed = true;
  }
  if (outside.length) {
    console.log("requests that left the service:", outside);
    failed = true;
  }
} finally {
  await browser.close();
}
if (failed) {
  console.error("Swagger UI check FAILED");
  process.exit(1);
}
console.log("Swagger UI check passed");
