// Builds dist/: the GraphiQL page's one script, one stylesheet and its icon, which
// Docket serves at /graphiql/assets/ (api/graphiql.py), plus the licences of
// everything bundled. `node build.mjs --check` builds into a temporary folder and
// fails when the committed dist/ differs from what the locked packages produce.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { copyFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const check = process.argv.includes("--check");
const dist = join(here, "dist");
const out = check ? mkdtempSync(join(tmpdir(), "docket-graphiql-")) : dist;

const result = await build({
  absWorkingDir: here,
  entryPoints: { graphiql: "src/main.js" },
  bundle: true,
  minify: true,
  keepNames: true, // GraphiQL names its icons (their tooltips) after its components
  format: "iife",
  target: ["es2020"],
  platform: "browser",
  outdir: out,
  metafile: true,
  legalComments: "none", // the licences go to THIRD-PARTY-NOTICES.txt, whole
  define: { "process.env.NODE_ENV": '"production"' },
  logLevel: "warning",
});
copyFileSync(join(here, "src", "favicon.svg"), join(out, "favicon.svg"));
writeFileSync(join(out, "THIRD-PARTY-NOTICES.txt"), notices(result.metafile));

/** The package folder (node_modules/name or node_modules/@scope/name) of a bundled file. */
function packageOf(input) {
  const parts = input.split(/[\\/]/);
  const at = parts.lastIndexOf("node_modules");
  if (at < 0) return null;
  const length = parts[at + 1].startsWith("@") ? 2 : 1;
  return parts.slice(0, at + 1 + length).join(sep);
}

function licenceText(folder) {
  const names = readdirSync(folder).filter((name) => /^(licen[cs]e|copying)/i.test(name));
  return names.length ? readFileSync(join(folder, names.sort()[0]), "utf8").trim() : null;
}

function notices(metafile) {
  const folders = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const folder = packageOf(input);
    if (folder) folders.add(folder);
  }
  const entries = [...folders].map((folder) => {
    const meta = JSON.parse(readFileSync(join(here, folder, "package.json"), "utf8"));
    const text = licenceText(join(here, folder)) ?? `License: ${meta.license ?? "unknown"}`;
    return { id: `${meta.name}@${meta.version}`, text };
  });
  entries.sort((a, b) => a.id.localeCompare(b.id));
  const header = "Third-party software bundled in graphiql.js and graphiql.css\n";
  return `${header}${entries.map((e) => `\n${"=".repeat(72)}\n${e.id}\n\n${e.text}\n`).join("")}`;
}

function sha384(path) {
  return `sha384-${createHash("sha384").update(readFileSync(path)).digest("base64")}`;
}

const built = readdirSync(out).sort();
if (check) {
  const stale = built.filter(
    (name) =>
      !existsSync(join(dist, name)) ||
      !readFileSync(join(dist, name)).equals(readFileSync(join(out, name))),
  );
  const extra = readdirSync(dist).filter((name) => !built.includes(name));
  rmSync(out, { recursive: true, force: true });
  if (stale.length || extra.length) {
    console.error(`dist/ is not what the locked packages build: ${[...stale, ...extra].join(", ")}`);
    console.error("run `npm ci && npm run build` in api/graphiql-ide and commit dist/");
    process.exit(1);
  }
  console.log("dist/ matches the build");
} else {
  mkdirSync(dist, { recursive: true });
  for (const name of built) console.log(`${relative(here, join(out, name))}  ${sha384(join(out, name))}`);
}
