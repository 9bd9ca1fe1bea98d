// Validates Kubernetes manifests (YAML or JSON, several documents per file) against the Kubernetes OpenAPI schema with
// the kubernetes-models package: each document's apiVersion and kind select the model, whose validate() throws on a
// schema violation. Usage: node validate.js FILE... (no FILE: standard input).
// Prints one line per document; exit 0 when every document is valid, 1 when one is not, 2 when a file cannot be read
// or parsed or a kind is unknown.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const inputs = process.argv.length > 2 ? process.argv.slice(2) : ["/dev/stdin"];
let invalid = 0;
let broken = 0;
let checked = 0;

for (const file of inputs) {
  let docs;
  try {
    docs = parseAllDocuments(readFileSync(file, "utf8"));
  } catch (e) {
    console.log(`error ${file}: ${e.message}`);
    broken++;
    continue;
  }
  for (const [i, doc] of docs.entries()) {
    const where = `${file}#${i}`;
    if (doc.errors.length > 0) {
      console.log(`error ${where}: ${doc.errors.map((e) => e.message).join("; ")}`);
      broken++;
      continue;
    }
    const value = doc.toJS();
    if (value === null || value === undefined) continue; // an empty document (a trailing ---)
    const { apiVersion, kind } = value;
    if (typeof apiVersion !== "string" || typeof kind !== "string") {
      console.log(`error ${where}: no apiVersion or kind`);
      broken++;
      continue;
    }
    let Model;
    try {
      // "batch/v1" -> kubernetes-models/batch/v1/Job; "v1" -> kubernetes-models/v1/PersistentVolumeClaim
      Model = (await import(`kubernetes-models/${apiVersion}/${kind}`))[kind];
    } catch {
      Model = undefined;
    }
    if (typeof Model !== "function") {
      console.log(`error ${where}: kubernetes-models has no ${apiVersion} ${kind}`);
      broken++;
      continue;
    }
    const name = value.metadata?.name ?? "(no name)";
    try {
      new Model(value).validate();
      console.log(`ok ${kind}/${name} (${apiVersion})`);
      checked++;
    } catch (e) {
      console.log(`invalid ${kind}/${name} (${apiVersion}): ${e.message}`);
      invalid++;
    }
  }
}

console.log(`${checked} valid, ${invalid} invalid, ${broken} unreadable`);
process.exit(broken > 0 ? 2 : invalid > 0 ? 1 : 0);
