// A typed use of the public API, checked with `tsc --noEmit` against the shipped declarations
// (the package imports itself by name, through its exports map). It is never run.

import flooim, {
  ErrorCode,
  FlooError,
  initialize,
  managerMethods,
  type ConversationEntry,
  type FlooConfig,
  type GroupInfo,
  type GroupResult,
  type LogoutResult,
  type Managers,
  type Message,
  type NoticeMeta,
  type RosterItem,
  type StaticVars,
  type TokenData,
  type Uid,
} from "floo-wasm";

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
  // A misspelt event name does not compile (it would never fire): tsc fails if this line does
  // compile, as the directive is then unused.
  // @ts-expect-error "onRosterMesage" is not an event name
  im.on("onRosterMesage", (payload) => console.log(payload));
  // @ts-expect-error neither in a map of handlers
  im.on({ onRosterMesage: () => {} });
  // @ts-expect-error nor for listen
  im.listen("someFutureEvent", () => {});

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

  // userManage
  const list: ConversationEntry[] = im.userManage.getConversationList();
  const first = list[0];
  if (first) console.log(first.type === "group" ? first.id : first.draft, first.hasAt, first.unread);
  const tok: TokenData = await im.userManage.asyncTokenId({ user_id: 1, password: "pw" });
  const settings = await im.userManage.asyncGetSettings();
  await im.userManage.asyncUpdateSettings({ no_sounds: !settings.no_sounds });
  await im.userManage.asyncUpdateProfile({ nick_name: "Al" });
  const devices = await im.userManage.asyncGetDeviceList();
  await im.userManage.asyncKickDevice({ device_sn: devices[0]?.device_sn ?? 0 });
  const captcha: unknown = await im.userManage.asyncCaptchaImagePost();
  console.log(tok.token, captcha);

  // rosterManage (misspelled names included)
  const friends: Uid[] = await im.rosterManage.asyncGetRosterIdList(true);
  const items: RosterItem[] = await im.rosterManage.asnycGetRosterListDetailByIds(friends);
  const bob: RosterItem | undefined = im.rosterManage.getRosterInfo("1002");
  const all: Record<string, RosterItem> = im.rosterManage.getAllRosterDetail();
  console.log(items.map((i) => i.nick_name ?? i.username), bob?.alias, Object.keys(all), bob?.["a_future_field"]);
  await im.rosterManage.asyncBlockeAdd({ user_id: 1002 });
  const history: Message[] = im.rosterManage.getRosterMessageByRid(1002);
  const last = history[history.length - 1];
  if (last) {
    await im.rosterManage.readRosterMessage(1002, last.id);
    await im.rosterManage.replaceMessage(1002, last.id, "edited", { k: 1 }, "");
    await im.rosterManage.recallMessage(1002, last.id);
  }
  const unread: number = im.rosterManage.getUnreadCount(1002);

  // groupManage
  const g: GroupInfo = await im.groupManage.asyncCreate({ name: "team", type: 0, user_list: [1002, "1003"] });
  const kicked: GroupResult[] = await im.groupManage.asyncKick({ group_id: g.group_id, user_list: [1003] });
  const ban = await im.groupManage.asyncBanAll({ group_id: g.group_id, duration: 10 });
  await im.groupManage.asyncGroupBab({ group_id: g.group_id, user_list: [1002], duration: 5 });
  await im.groupManage.asyncUpdateName({ group_id: g.group_id, value: "renamed" });
  const members = im.groupManage.getGroupMembers(g.group_id);
  const info = await im.groupManage.asyncGetInfo({ group_id: g.group_id });
  console.log(kicked[0]?.result === "success", ban.ban_expire_time, members.length, info.read_ack, unread);
  im.groupManage.consumeGroupAtStatus(g.group_id);

  // sysManage: sends return the client_mid as a decimal string
  const mid: string = im.sysManage.sendRosterMessage({ uid: 1002, content: "hi", ext: '{"k":1}' });
  const gmid: string = im.sysManage.sendGroupMessage({ gid: g.group_id, content: "", type: "image", attachment: { url: "u" }, priority: 1 });
  im.sysManage.sendMentionMessage({ gid: g.group_id, txt: "@bob", mentionList: [1002], mentionAll: false });
  im.sysManage.sendInputStatusMessage(1002, "typing");
  if (last) im.sysManage.forwardMessage({ gid: g.group_id, message: last });
  const page = await im.sysManage.requireHistoryMessage(1002, 0, 20);
  const vars: StaticVars = im.sysManage.getStaticVars();
  const read: number | undefined = vars.STATIC_MESSAGE_STATUS["READ"];
  const status = im.sysManage.getMessageStatus(1002, mid, false);
  const { url } = await im.sysManage.asyncFileUpload({
    file: new Blob(["x"]),
    fileType: "image",
    toType: "chat",
    to_id: 1002,
    processCallback: ({ loaded, total }) => console.log(loaded / total),
  });
  const img: string = im.sysManage.getImage({ avatar: "a.png", thumbnail: false });
  const found = im.sysManage.makeSearch("bo");
  console.log(gmid, page.next, read, status, url, img, found.rosterArr[0]?.user_id, found.groupArr.length);
  await im.sysManage.deleteConversation(1002, false);

  // rtcManage is not available: its methods reject.
  await im.rtcManage.joinRoom().catch((e: FlooError) => e.sdkName === "ServerRtcNotOpen");
  const names: readonly string[] = managerMethods.groupManage;
  const gm: Managers["groupManage"] = im.groupManage;
  console.log(names.length, typeof gm.asncGetApplicationList);
  await im.cleanup();

  im.on("sendingStalled", (s) => console.log(s.uid, s.mid.length));
  const out: LogoutResult = await im.logout({ quitAllWeb: true });
  const unknown: string[] = out.unknown;
  console.log(unknown.length);
  await im.close();

  const e = new FlooError("bad", { code: 20004, sdkCode: ErrorCode.GroupNotExist, source: "rest", url: "https://x" });
  const name: string = e.sdkName;
  console.log(name, FlooError.fromName("InvalidParam", "uid").sdkCode === 2);
}

void example;
