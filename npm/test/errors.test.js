import { test } from "node:test";
import assert from "node:assert/strict";

import { ErrorCode, ErrorCodeClass, ErrorCodeNames, FlooError } from "../dist/index.js";

test("FlooError carries the fields of ERRORS.md §1", () => {
  const cause = new TypeError("network down");
  const e = new FlooError("group not exist", {
    code: 20004,
    sdkCode: ErrorCode.GroupNotExist,
    sdkName: "GroupNotExist",
    source: "rest",
    serverCode: 20004,
    url: "https://api.example.com/group/info",
    temporary: false,
    cause,
  });
  assert.ok(e instanceof FlooError);
  assert.ok(e instanceof Error);
  assert.equal(e.name, "FlooError");
  assert.equal(e.message, "group not exist");
  assert.equal(e.code, 20004, "REST rejections carry the server's business code");
  assert.equal(e.sdkCode, 601);
  assert.equal(e.sdkName, "GroupNotExist");
  assert.equal(e.source, "rest");
  assert.equal(e.serverCode, 20004);
  assert.equal(e.url, "https://api.example.com/group/info");
  assert.equal(e.temporary, false);
  assert.equal(e.cause, cause);
  assert.match(e.stack ?? "", /FlooError: group not exist/);
  assert.equal(String(e), "FlooError: group not exist");
});

test("FlooError defaults fill in from the SDK code", () => {
  const e = new FlooError("bad uid", { code: ErrorCode.InvalidParam });
  assert.equal(e.sdkCode, 2);
  assert.equal(e.code, 2);
  assert.equal(e.sdkName, "InvalidParam", "the name comes from the generated table");
  assert.equal(e.source, "client");
  assert.equal(e.serverCode, 0);
  assert.equal(e.temporary, false);
  assert.equal("url" in e, false, "no url outside REST rejections");
  assert.equal("cause" in e, false, "no cause unless given");

  const bare = new FlooError("something");
  assert.equal(bare.sdkName, "GeneralError");
  assert.equal(bare.code, ErrorCode.GeneralError);
});

test("FlooError.fromName", () => {
  const e = FlooError.fromName("ServerTimeOut", "slow", { temporary: true, source: "transport" });
  assert.equal(e.sdkName, "ServerTimeOut");
  assert.equal(e.sdkCode, ErrorCode.ServerTimeOut);
  assert.equal(e.code, ErrorCode.ServerTimeOut);
  assert.equal(e.temporary, true);
  assert.equal(e.source, "transport");
});

test("error code tables are re-exported", () => {
  assert.equal(ErrorCode.NoError, 0);
  assert.equal(ErrorCode.InvalidParam, 2);
  assert.equal(ErrorCodeNames[2], "InvalidParam");
  assert.equal(ErrorCodeClass.InvalidToken, "recoverable");
  for (const [name, code] of Object.entries(ErrorCode)) {
    assert.equal(ErrorCodeNames[code], name, `${name} round-trips`);
  }
});
