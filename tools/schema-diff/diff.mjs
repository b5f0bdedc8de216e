// Compares two GraphQL SDL files with GraphQL Inspector and says what the change does to
// clients: every breaking, dangerous and safe change is printed; the exit code is 1 when a
// breaking change is not announced in CHANGELOG.md's Unreleased section.
//
//   node diff.mjs OLD.graphql NEW.graphql [CHANGELOG.md]
//
// A breaking change counts as announced when its schema path, in backticks (for example
// `Query.oldField` or `Mutation.createUser.input`), appears in the Unreleased section: the
// release notes then tell clients before the release does. Anything else breaking fails.
import { existsSync, readFileSync } from "node:fs";
import { CriticalityLevel, diff } from "@graphql-inspector/core";
import { buildSchema } from "graphql";

const [oldPath, newPath, changelogPath] = process.argv.slice(2);
if (!oldPath || !newPath) {
  console.error("usage: node diff.mjs OLD.graphql NEW.graphql [CHANGELOG.md]");
  process.exit(2);
}

/** The text of the changelog's Unreleased section ("" when there is none). */
function unreleasedNotes(path) {
  if (!path || !existsSync(path)) return "";
  const lines = readFileSync(path, "utf8").split("\n");
  const start = lines.findIndex((line) => /^##\s+\[?unreleased\]?/i.test(line));
  if (start < 0) return "";
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => /^##\s/.test(line));
  return (end < 0 ? rest : rest.slice(0, end)).join("\n");
}

function load(path) {
  try {
    return buildSchema(readFileSync(path, "utf8"));
  } catch (error) {
    console.error(`schema-diff: ${path} is not a valid schema: ${error.message}`);
    process.exit(2);
  }
}

const changes = await diff(load(oldPath), load(newPath));
const notes = unreleasedNotes(changelogPath);
const announced = (change) => Boolean(change.path) && notes.includes(`\`${change.path}\``);

const groups = [
  [CriticalityLevel.Breaking, "Breaking"],
  [CriticalityLevel.Dangerous, "Dangerous"],
  [CriticalityLevel.NonBreaking, "Safe"],
];
const reasonsShown = new Set();
for (const [level, title] of groups) {
  const found = changes.filter((change) => change.criticality.level === level);
  if (found.length === 0) continue;
  console.log(`${title} (${found.length}):`);
  for (const change of found) {
    let line = `  - ${change.message}`;
    if (level === CriticalityLevel.Breaking) {
      line += announced(change) ? "  [announced in CHANGELOG.md]" : "  [NOT ANNOUNCED]";
    }
    const reason = change.criticality.reason;
    if (level !== CriticalityLevel.NonBreaking && reason && !reasonsShown.has(reason)) {
      reasonsShown.add(reason); // the same reason under every enum value helps nobody
      line += `\n      ${reason}`;
    }
    console.log(line);
  }
}

const unannounced = changes.filter(
  (change) => change.criticality.level === CriticalityLevel.Breaking && !announced(change),
);
// Newly deprecated fields, arguments, input fields and enum values (paths such as
// `Query.a.@deprecated`): each must be listed in the Unreleased section too.
const deprecated = new Set(
  changes
    .filter((change) => change.type.endsWith("_ADDED") && change.path?.endsWith(".@deprecated"))
    .map((change) => change.path.slice(0, -".@deprecated".length)),
);
const unlisted = [...deprecated].filter((path) => !notes.includes(`\`${path}\``));
for (const path of deprecated) {
  const listed = unlisted.includes(path) ? "NOT LISTED" : "listed in CHANGELOG.md";
  console.log(`Deprecated: ${path}  [${listed}]`);
}

let failed = false;
if (unannounced.length > 0) {
  console.error(
    `schema-diff: ${unannounced.length} breaking change(s) would reach clients unannounced. ` +
      "Keep the old fields (deprecate them with @deprecated instead), or announce each one " +
      "in CHANGELOG.md under Unreleased, naming its path in backticks, e.g. " +
      `\`${unannounced[0].path ?? "Query.field"}\`.`,
  );
  failed = true;
}
if (unlisted.length > 0) {
  console.error(
    `schema-diff: ${unlisted.length} new deprecation(s) missing from CHANGELOG.md's ` +
      `Unreleased section (under "### Deprecated"): ${unlisted.map((p) => `\`${p}\``).join(", ")}.`,
  );
  failed = true;
}
if (failed) process.exit(1);
console.log(
  changes.length === 0
    ? "No change to the schema."
    : "No unannounced breaking change; every new deprecation is listed.",
);
