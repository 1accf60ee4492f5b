// A typed use of the public API, checked with `tsc --noEmit` against the shipped declarations
// (the package imports itself by name, through its exports map). It is never run.

import flooim, { ErrorCode, FlooError, initialize, type FlooConfig, type Message, type NoticeMeta } from "floo-wasm";

async function example(): Promise<void> {
  await initialize({ wasmURL: "/assets/floo.wasm" });

  const config: FlooConfig = { appid: "welovemaxim", autoLogin: true, logLevel: "warn", requestTimeout: 10_000 };
  const im = flooim(config);
  await im.ready();

  im.on("onRosterMessage", (m: Message) => {
    const id: string = m.id;
    const from: string = m.from;
    const mentions = m.config?.["mentionList"];
    console.log(id, from, m.toType === "roster", mentions);
  });
  im.on({
    loginSuccess: () => console.log("in"),
    loginFail: (reason: string) => console.log(reason.startsWith("token failure:")),
    onGroupJoined: (n: NoticeMeta) => console.log(n.payload.gid?.uid),
    onSendingMessageStatusChanged: (s) => {
      if (s.status === "failed") console.log(s.errorCode, s.error?.sdkName);
    },
    connectionStateChanged: ({ state }) => console.log(state === "connected"),
  });
  im.listen("flooError", (e) => console.log(typeof e.category === "number" ? e.category : e.category.toLowerCase()));
  im.on("someFutureEvent", (payload) => console.log(payload));

  try {
    await im.login({ name: "alice", password: "secret" });
  } catch (err) {
    if (err instanceof FlooError && err.sdkCode === ErrorCode.UserAuthFailed) {
      console.log(err.sdkName, err.code, err.source, err.temporary, err.serverCode, err.url, err.cause);
    }
  }
  await im.idLogin({ user_id: "9007199254740993", password: "secret" });
  await im.tokenLogin(42, "token");

  const uid = im.userManage.getUid();
  const token: string = im.userManage.getToken();
  const servers = im.sysManage.getServers();
  const base: string = im.baseUrl;
  console.log(uid, token, servers.ratel, base, im.isLogin(), im.isReady(), im.state());

  // Official methods not wired yet exist and reject.
  const pending: Promise<never> = im.rosterManage.asyncGetRosterIdList(true);
  await pending.catch((e: FlooError) => e.sdkName);
  await im.groupManage.asyncGetGroupInfo(1, true).catch(() => undefined);

  await im.logout({ quitAllWeb: true });
  await im.close();

  const e = new FlooError("bad", { code: 20004, sdkCode: ErrorCode.GroupNotExist, source: "rest", url: "https://x" });
  const name: string = e.sdkName;
  console.log(name, FlooError.fromName("InvalidParam", "uid").sdkCode === 2);
}

void example;
