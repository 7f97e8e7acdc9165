// Tokenizes every shipped policy (policies/**/*.policy) with the TextMate grammar, as VS Code
// does, and fails when a reserved word (src/syntax/keywords.rs) is coloured as a name, when a
// `//` comment is not a comment, or when a word of code is left without a scope.
"use strict";

const fs = require("fs");
const path = require("path");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const root = path.resolve(__dirname, "../../..");
const grammarPath = path.join(__dirname, "../syntaxes/policy.tmLanguage.json");

function keywords() {
  const src = fs.readFileSync(path.join(root, "src/syntax/keywords.rs"), "utf8");
  const block = src.split("pub const KEYWORDS: &[&str] = &[")[1].split("];")[0];
  return new Set([...block.matchAll(/"([a-z_]+)"/g)].map((m) => m[1]));
}

function policies(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return policies(p);
    return e.name.endsWith(".policy") ? [p] : [];
  });
}

async function main() {
  const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (s) => new oniguruma.OnigScanner(s),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () =>
      vsctm.parseRawGrammar(fs.readFileSync(grammarPath, "utf8"), grammarPath),
  });
  const grammar = await registry.loadGrammar("source.policy");
  const reserved = keywords();
  const files = policies(path.join(root, "policies")).sort();
  const problems = [];
  let lines = 0;
  let tokens = 0;
  for (const file of files) {
    let state = vsctm.INITIAL;
    const rel = path.relative(root, file);
    fs.readFileSync(file, "utf8").split("\n").forEach((line, i) => {
      lines++;
      const r = grammar.tokenizeLine(line, state);
      state = r.ruleStack;
      for (const t of r.tokens) {
        tokens++;
        const text = line.slice(t.startIndex, t.endIndex);
        const scopes = t.scopes.slice(1);
        const where = `${rel}:${i + 1}:${t.startIndex + 1} \`${text}\``;
        if (scopes.some((s) => s.startsWith("comment") || s.startsWith("string"))) continue;
        if (text.startsWith("//")) problems.push(`${where}: a comment not scoped as one`);
        const word = text.trim();
        if (reserved.has(word) && scopes.includes("variable.other.policy"))
          problems.push(`${where}: a reserved word coloured as a name`);
        if (/\w/.test(word) && scopes.length === 0)
          problems.push(`${where}: code without a scope`);
      }
    });
  }
  if (problems.length > 0) {
    console.error(problems.join("\n"));
    process.exit(1);
  }
  console.log(`${files.length} shipped policies, ${lines} lines, ${tokens} tokens: every reserved word, comment and word of code scoped`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
