// The package as its users resolve it: require() in Node (the CommonJS build), the types of every
// entry under each moduleResolution (@arethetypeswrong/cli on the packed tarball), and the event
// names as a compile-time contract (a misspelt name must not compile).

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { promisify } from "node:util";

import { packageDir } from "./dist-graph.js";

const exec = promisify(execFile);
const bin = (name) => path.join(packageDir, "node_modules", ".bin", name);

test('require("floo-wasm") works in Node and loads the module', async () => {
  // The package resolves its own name through its exports map, as an installed copy would.
  const require = createRequire(path.join(packageDir, "test", "cjs.js"));
  const sdk = require("floo-wasm");
  assert.equal(require.resolve("floo-wasm"), path.join(packageDir, "dist", "cjs", "index.js"));
  assert.equal(typeof sdk.flooim, "function");
  assert.equal(sdk.default, sdk.flooim);
  assert.ok(sdk.FlooError.fromName("InvalidParam", "x") instanceof Error);
  await sdk.initialize(); // floo.wasm beside the package's JavaScript, read from disk
  const im = sdk.flooim({ appid: "cjs", autoLogin: false, dnsServer: "http://127.0.0.1:9/v2/app_dns", logLevel: "off" });
  await im.ready();
  assert.equal(im.isLogin(), false);
  await im.close();
  const wechat = require("floo-wasm/wechat");
  assert.equal(typeof wechat.installPolyfills, "function");
  assert.equal(require.resolve("floo-wasm/wechat"), path.join(packageDir, "dist", "cjs", "wechat.js"));
});

test("the types of every entry resolve under node10, node16 (CJS and ESM) and bundler", async () => {
  // attw packs the package itself; the asset exports have no types to check.
  const { stdout } = await exec(bin("attw"), ["--pack", ".", "--format", "ascii", "--exclude-entrypoints", "floo.wasm", "floo.wasm.br", "floo.iife.js"], {
    cwd: packageDir,
  }).catch((err) => assert.fail(`attw found problems:\n${err.stdout}\n${err.stderr}`));
  for (const entry of ['"floo-wasm"', '"floo-wasm/wechat"']) {
    const block = stdout.slice(stdout.indexOf(entry));
    for (const mode of ["node10: 🟢", "node16 (from CJS): 🟢 (CJS)", "node16 (from ESM): 🟢 (ESM)", "bundler: 🟢"]) {
      assert.ok(block.includes(mode), `${entry} ${mode}\n${stdout}`);
    }
  }
});

test("a misspelt event name does not compile", async () => {
  // Inside the package folder, so that "floo-wasm" resolves to itself.
  const file = path.join(packageDir, "test", `.misspelt-${process.pid}.ts`);
  {
    await writeFile(
      file,
      [
        'import flooim from "floo-wasm";',
        "const im = flooim();",
        'im.on("onRosterMessage", (m) => console.log(m.content));',
        'im.on("onRosterMesage", (m) => console.log(m));',
        "",
      ].join("\n"),
    );
    try {
      const args = ["--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", "--skipLibCheck", "--types", "node", file];
      const err = await exec(bin("tsc"), args, { cwd: packageDir }).then(
        () => assert.fail("tsc accepted im.on(\"onRosterMesage\", ...)"),
        (e) => e,
      );
      const out = String(err.stdout);
      const lines = out.split("\n").filter((l) => /error TS/.test(l));
      assert.equal(lines.length, 1, out);
      assert.match(lines[0], /\(4,\d+\): error TS\d+: Argument of type '"onRosterMesage"' is not assignable to parameter of type 'keyof ClientEvents'/, out);
    } finally {
      await rm(file, { force: true });
    }
  }
});
