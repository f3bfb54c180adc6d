// Every JavaScript function of ours stays short enough to read in one sitting: at most 150 lines
// (the Python side's limit is 80, tests/core/test_code_shape.py). The files are parsed by a real
// parser (acorn, pinned in tests/js_parser/package-lock.json and installed there by `npm ci` in
// make test), so a brace in a string or a template never miscounts. static/vendor is not ours.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const STATIC = join(ROOT, "static");
const NOT_OURS = new Set([join(STATIC, "vendor")]);
const MAX_LINES = 150;

const require = createRequire(join(ROOT, "tests", "js_parser", "package.json"));
const acorn = loadAcorn();

function loadAcorn() {
  try {
    return require("acorn");
  } catch (error) {
    throw new Error("acorn is not installed: run `cd tests/js_parser && npm ci` (make test does)", {
      cause: error,
    });
  }
}

function sourceFiles(folder) {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return NOT_OURS.has(path) ? [] : sourceFiles(path);
    return /\.(m?js)$/.test(entry.name) ? [path] : [];
  });
}

function parse(text) {
  const options = { ecmaVersion: "latest", locations: true, allowHashBang: true };
  try {
    return acorn.parse(text, { ...options, sourceType: "module" });
  } catch {
    return acorn.parse(text, { ...options, sourceType: "script" }); // a classic script
  }
}

const FUNCTIONS = new Set(["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"]);

// Every function node in the tree, with the name a reader would look for.
function* functions(node, name = "(anonymous)") {
  if (!node || typeof node.type !== "string") return;
  const isFunction = FUNCTIONS.has(node.type);
  if (isFunction) yield { node, name: node.id?.name ?? name };
  const inherited = isFunction ? "(anonymous)" : name; // a function's name is not its inner ones'
  for (const [key, value] of Object.entries(node)) {
    if (key === "loc") continue;
    const childName = nameFor(node, key) ?? inherited;
    for (const child of Array.isArray(value) ? value : [value]) {
      if (child && typeof child === "object") yield* functions(child, childName);
    }
  }
}

function nameFor(node, key) {
  if (node.type === "VariableDeclarator" && key === "init") return node.id.name;
  if ((node.type === "Property" || node.type === "MethodDefinition") && key === "value") {
    return node.key.name ?? node.key.value;
  }
  return undefined;
}

test("no function in static/ (vendor aside) is longer than 150 lines", () => {
  const files = sourceFiles(STATIC);
  assert.ok(files.length > 20, `only ${files.length} files found under static/`);
  const tooLong = [];
  for (const file of files) {
    for (const { node, name } of functions(parse(readFileSync(file, "utf8")))) {
      const lines = node.loc.end.line - node.loc.start.line + 1;
      if (lines > MAX_LINES) {
        tooLong.push(`${relative(ROOT, file)}:${node.loc.start.line} ${name}: ${lines} lines`);
      }
    }
  }
  assert.deepEqual(tooLong, [], `split these into smaller functions:\n${tooLong.join("\n")}`);
});

test("the walk sees functions of every kind, nested ones included", () => {
  const tree = parse(
    "function a() { const b = () => { return function () {}; }; }\n" +
      "const o = { m() {}, n: function () {} };\nclass K { k() {} }",
  );
  const names = [...functions(tree)].map((found) => found.name);
  assert.deepEqual(names.sort(), ["(anonymous)", "a", "b", "k", "m", "n"].sort());
});
