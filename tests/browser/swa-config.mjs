// Checks staticwebapp.config.json files as Azure Static Web Apps reads them:
// `node swa-config.mjs SCHEMA FILE…` validates each against SCHEMA, the JSON
// Schema Microsoft publishes for the file (SchemaStore's, as the Static Web
// Apps CLI ships it; .ci/run takes it from that npm package), with Ajv, and
// checks that every route needs the `board` role and nothing else lets a
// reader in. It first proves it can fail, on a config with a misspelt key.
import { readFile } from "node:fs/promises";
import Ajv from "ajv-draft-04";

const [schemaFile, ...files] = process.argv.slice(2);
if (!schemaFile || files.length === 0) {
  console.error("usage: node swa-config.mjs SCHEMA FILE…");
  process.exit(2);
}
const schema = JSON.parse(await readFile(schemaFile, "utf8"));
// strict: false, as the published schema uses keywords draft-04 does not define (examples).
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

const misspelt = { routes: [{ route: "/*", allowedRole: ["board"] }] };
if (validate(misspelt)) {
  console.error("the schema accepted a route with `allowedRole`: the check cannot fail");
  process.exit(2);
}

/** What is wrong with a config that should let only the `board` role read the site. */
function problems(config) {
  const found = [];
  if (!validate(config)) {
    for (const e of validate.errors) found.push(`${e.instancePath || "/"} ${e.message}`);
  }
  const routes = config.routes ?? [];
  const all = routes.find((r) => r.route === "/*");
  if (!all || JSON.stringify(all.allowedRoles) !== JSON.stringify(["board"])) {
    found.push('no route "/*" for allowedRoles ["board"] alone');
  }
  for (const r of routes) {
    if (r !== all && !(r.allowedRoles ?? []).every((role) => role === "board")) {
      found.push(`route ${r.route} lets other roles in: ${r.allowedRoles}`);
    }
  }
  return found;
}

if (problems({ routes: [{ route: "/*", allowedRoles: ["authenticated"] }] }).length === 0) {
  console.error("a config open to every signed-in user passed: the check cannot fail");
  process.exit(2);
}
let count = 0;
for (const file of files) {
  for (const p of problems(JSON.parse(await readFile(file, "utf8")))) {
    console.error(`${file}: ${p}`);
    count++;
  }
}
console.log(`staticwebapp.config.json: ${count} problem(s) in ${files.length} file(s), against ${schema.id ?? schemaFile}`);
process.exit(count ? 1 : 0);
