// Lazy loading of prebuilt provider packages on the Node.js side of jsii. cdk.py preloads this file into jsii's
// Node.js processes (NODE_OPTIONS=--require) unless CDK_PROVIDER_LOADING=eager; see cdk.py and docs/performance.md.
//
// Why: loading a provider's jsii assembly makes the jsii kernel require the package's lib/index.js, which requires
// every one of its submodules (azurerm: about 1,500, 1.5-2 s and over 400 MB; kubernetes: about 1 s and 200 MB),
// although a synth uses a handful. Each submodule is a namespace of generated classes without side effects.
//
// What: when Node.js loads `@cdktf/provider-*/lib/index.js`, each line `exports.name = require("./dir");` becomes
// a getter that requires "./dir" on first access and then keeps the value. The kernel finds a class by walking
// the exports (`resourceGroup.ResourceGroup`), so it reaches the getter and gets the same module object. Every
// other line is kept. If the file holds any line of another shape (a future generator), it is loaded unchanged:
// correct, only slower.

"use strict";

const fs = require("fs");
const Module = require("module");

const PROVIDER_INDEX = /[\\/]@cdktf[\\/]provider-[^\\/]+[\\/]lib[\\/]index\.js$/;
const SUBMODULE = /^exports\.([A-Za-z_$][\w$]*) = require\(("\.\/[^"\\]+")\);$/;
// The other lines a generated index.js holds (checked against azurerm, azuread, helm, kubernetes, random, time, tfe).
const KEPT = [
  /^$/,
  /^"use strict";$/,
  /^\/\*\*$/,
  /^ \*( .*)?$/,
  /^ \*\/$/,
  /^\/\/.*$/,
  /^Object\.defineProperty\(exports, "__esModule", \{ value: true \}\);$/,
  /^exports\.[\w$]+( = exports\.[\w$]+)* = void 0;$/,
];

// Defined at the end of the rewritten file (function declarations are hoisted). Line numbers stay as they were.
const DEFINE_LAZY =
  "function __cdkLazySubmodule(target, name, load) {" +
  " Object.defineProperty(target, name, { enumerable: true, configurable: true, get() {" +
  " const value = load();" +
  " Object.defineProperty(target, name, { enumerable: true, configurable: true, writable: true, value });" +
  " return value; } }); }";

/** The index.js source with lazy submodules, or null when it holds a line this file does not know. */
function lazyIndex(source) {
  let submodules = 0;
  const lines = [];
  for (const line of source.split("\n")) {
    const submodule = SUBMODULE.exec(line);
    if (submodule) {
      submodules += 1;
      lines.push(`__cdkLazySubmodule(exports, ${JSON.stringify(submodule[1])}, () => require(${submodule[2]}));`);
    } else if (KEPT.some((shape) => shape.test(line))) {
      lines.push(line);
    } else {
      return null;
    }
  }
  return submodules > 0 ? `${lines.join("\n")}\n${DEFINE_LAZY}\n` : null;
}

const loadJavaScript = Module._extensions[".js"];
Module._extensions[".js"] = function loadProviderIndexLazily(module, filename) {
  if (PROVIDER_INDEX.test(filename)) {
    const lazy = lazyIndex(fs.readFileSync(filename, "utf8"));
    if (lazy !== null) {
      return module._compile(lazy, filename);
    }
  }
  return loadJavaScript(module, filename);
};

module.exports = { lazyIndex };
