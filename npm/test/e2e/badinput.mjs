// The bad-input table of the end-to-end tests: for every method of every manager (JSAPI.md §4-§7)
// and of the client (§3), the calls with wrong-typed or missing arguments, and how each must fail.
// ERRORS.md §1: "Bad arguments from the caller (wrong types, missing fields, oversized values) are
// InvalidParam, source: client" — the facade must catch them itself, before any request leaves.
//
// Kinds:
//   async  an async… method (or one documented as a Promise): returns a Promise that rejects with
//          FlooError InvalidParam; throwing synchronously is a failure (callers use .catch).
//   sync   a method that returns its result directly (cached reads, sends returning the
//          client_mid, fire-and-forget operations): throws FlooError InvalidParam, or returns a
//          Promise rejecting with it.
//   get    a cached lookup: as sync, or returns undefined / null (nothing is cached under a
//          malformed key, JSAPI.md §5 "Cached RosterItem or undefined").
//   none   takes no argument that could be wrong; listed so the table provably covers every name.
//   rtc    rtcManage: rejects ServerRtcNotOpen whatever the arguments (JSAPI.md §14).

/** Wrong values by parameter type. */
const WRONG = {
  id: ["abc", 1.5, -1, {}, true],
  mid: ["abc", 1.5, -1, {}],
  str: [42, {}],
  ids: ["abc", ["abc"], [1.5], 42],
  bool: ["abc", {}],
  int: ["abc", 1.5, {}],
  obj: [42, "abc", true],
  fn: [42, "abc"],
  ctype: ["roster-ish", 42],
};

/**
 * The valid value of a field, so that exactly one field is wrong per call. Values that reach the
 * server when the facade fails to validate are harmless: wrong passwords, ids of nobody.
 */
function validValue(ctx, name, type) {
  switch (name) {
    case "group_id":
    case "gid":
      return ctx.gid;
    case "user_id":
    case "uid":
    case "new_owner":
    case "to_id":
      return ctx.peer;
    case "mid":
      return ctx.mid;
    case "password":
    case "old_password":
      return "not-the-password";
    case "file_type":
      return 100;
    case "to_type":
      return 1;
  }
  switch (type) {
    case "id":
      return 1;
    case "mid":
      return ctx.mid;
    case "str":
      return "e2e";
    case "ids":
      return [ctx.peer];
    case "bool":
      return true;
    case "int":
      return 1;
    case "obj":
      return {};
    case "fn":
      return () => {};
    case "ctype":
      return "roster";
  }
  throw new Error(`no valid value for ${name}: ${type}`);
}

/** Parses "type" or "type?" (optional: a wrong type is bad, absence is not). */
function parseType(t) {
  return t.endsWith("?") ? { type: t.slice(0, -1), optional: true } : { type: t, optional: false };
}

/**
 * Argument lists for a method taking one parameter object with the given fields. `optional`:
 * the whole object may be omitted.
 */
function objArgs(ctx, fields, { optional = false, nonObject = WRONG.obj } = {}) {
  const out = [];
  if (!optional) out.push([], [null]);
  for (const w of nonObject) out.push([w]);
  const valid = {};
  for (const [name, t] of Object.entries(fields)) valid[name] = validValue(ctx, name, parseType(t).type);
  for (const [name, t] of Object.entries(fields)) {
    const { type, optional: opt } = parseType(t);
    if (!opt) {
      const missing = { ...valid };
      delete missing[name];
      out.push([missing]);
    }
    for (const w of WRONG[type]) out.push([{ ...valid, [name]: w }]);
  }
  return out;
}

/** Argument lists for positional parameters, e.g. pos(ctx, ["uid", "id"], ["mid", "mid"]). */
function posArgs(ctx, params) {
  const out = [];
  const valid = params.map(([name, t]) => validValue(ctx, name, parseType(t).type));
  params.forEach(([, t], i) => {
    const { type, optional } = parseType(t);
    if (!optional) out.push(valid.slice(0, i));
    for (const w of WRONG[type]) out.push([...valid.slice(0, i), w, ...valid.slice(i + 1)]);
  });
  return out;
}

/**
 * A group REST wrapper `{group_id, …}`. The facade also takes a bare group id in place of the
 * object (as the official asyncGetInfo does), so a number is not a wrong type here.
 */
const G = (ctx, extra = {}) => ({ kind: "async", args: objArgs(ctx, { group_id: "id", ...extra }, { nonObject: ["abc", true] }) });

/**
 * The table: manager name → method name → {kind, args: Array<argument list>, why?}. Built from
 * the test's context: `ctx.peer` (a real user id other than the caller), `ctx.gid` (a real group),
 * `ctx.mid` (a real message id), `ctx.blob` (a small Blob).
 */
export function badInputTable(ctx) {
  const none = (why) => ({ kind: "none", args: [], why });
  const async = (fields, opts) => ({ kind: "async", args: objArgs(ctx, fields, opts) });
  const asyncPos = (...params) => ({ kind: "async", args: posArgs(ctx, params) });
  const sync = (...params) => ({ kind: "sync", args: posArgs(ctx, params) });
  const syncObj = (fields) => ({ kind: "sync", args: objArgs(ctx, fields) });
  const get = (...params) => ({ kind: "get", args: posArgs(ctx, params) });
  const getObj = (fields) => ({ kind: "get", args: objArgs(ctx, fields) });
  // Wrappers of the unspecified account and demo-app endpoints (REST.md §11: "the facade passes
  // them through"): only the shape of the parameter (an object when given) can be wrong; their
  // fields are the server's business.
  const passThrough = () => ({ kind: "async", args: WRONG.obj.map((w) => [w]) });

  const userManage = {
    getToken: none("no parameters"),
    getUid: none("no parameters"),
    getAppid: none("no parameters"),
    getDeviceSN: none("no parameters"),
    deleteToken: none("no parameters (and it would end the session)"),
    getConversationList: none("no parameters"),
    asyncGetDeviceList: none("no parameters"),
    asyncKickDevice: async({ device_sn: "id" }),
    asyncBindDeviceToken: async({ device_sn: "id", device_token: "str", notifier_name: "str?" }),
    asyncUnbindDeviceToken: async({ deviceSn: "id" }),
    asyncDeleteUser: async({ password: "str" }),
    asyncTokenUser: async({ name: "str?", password: "str" }),
    asyncTokenId: async({ user_id: "id", password: "str" }),
    asyncRegister: async({ username: "str", password: "str" }),
    asyncRegisterAnonymous: async({ username: "str", password: "str" }),
    asyncGenerateSecretInfo: passThrough(),
    asyncSendSecretInfo: passThrough(),
    asyncUserBindMobile: passThrough(),
    asyncUserUpdateMobile: passThrough(),
    asyncUserSendSms: passThrough(),
    asyncCaptchaSms: passThrough(),
    aysncGenerateWXUrlLink: passThrough(),
    asyncUserNameCheck: passThrough(),
    asyncUserMobileBind: passThrough(),
    asyncUserMobileBindSign: passThrough(),
    asyncUserMobileLogin: passThrough(),
    asyncCaptchaImagePost: none("no parameters"),
    asyncUpdateAuthmode: async({ value: "int" }),
    asyncUpdateAvatar: async({ avatar: "str" }),
    asyncUpdateMobile: async({ mobile: "str" }),
    asyncUpdateNickName: async({ nick_name: "str" }),
    asyncUserChangePassword: async({ old_password: "str", new_password: "str" }),
    asyncGetProfile: none("no parameters"),
    asyncUpdateProfile: async({ nick_name: "str?", description: "str?", public_info: "str?", private_info: "str?" }),
    asyncGetSettings: none("no parameters"),
    asyncUpdateSettings: { kind: "async", args: [[], [null], ...WRONG.obj.map((w) => [w])] },
    asyncGetUserVerification: none("no parameters"),
    userVerificationByMobile: passThrough(),
    userChangeMobileCheckPassword: passThrough(),
    userChangeMobileCheckMobile: passThrough(),
    userChangeMobile: passThrough(),
  };

  const rosterManage = {
    asyncGetRosterIdList: none("force is a flag; any value is truthy or falsy"),
    asyncGetRosterInfo: asyncPos(["uid", "id"]),
    asnycGetRosterListDetailByIds: { kind: "async", args: [[], ...WRONG.ids.map((w) => [w])] },
    asyncGetUserProfile: none("force is a flag"),
    asyncRegester: async({ username: "str", password: "str" }),
    asyncDeleteRoster: async({ user_id: "id" }),
    getAllRosterDetail: none("no parameters"),
    getRosterInfo: get(["uid", "id"]),
    getRosterMessageByRid: get(["uid", "id"]),
    getUnreadCount: get(["uid", "id"]),
    readRosterMessage: sync(["uid", "id"], ["mid", "mid?"]),
    recallMessage: sync(["uid", "id"], ["mid", "mid"]),
    deleteMessage: sync(["uid", "id"], ["mid", "mid"]),
    unreadMessage: sync(["uid", "id"], ["mid", "mid"]),
    appendMessageContent: sync(["uid", "id"], ["mid", "mid"], ["content", "str"]),
    replaceMessage: sync(["uid", "id"], ["mid", "mid"], ["content", "str?"], ["config", "obj?"], ["ext", "str?"]),
    asyncGetApplyList: async({ cursor: "str?" }, { optional: true }),
    asyncGetBlockedlist: none("no parameters"),
    asyncBlockeAdd: async({ user_id: "id" }),
    asyncBlockeRemove: async({ user_id: "id" }),
    asyncApply: async({ user_id: "id", alias: "str?", reason: "str?", auth_answer: "str?" }),
    asyncAccept: async({ user_id: "id" }),
    asyncDecline: async({ user_id: "id", reason: "str?" }),
    // ext and alias are optional fields of POST /roster/ext (REST.md §7).
    asyncUpdateRosterExt: async({ user_id: "id", ext: "str?" }),
    asyncUpdateRosterAlias: async({ user_id: "id", alias: "str?" }),
    asyncSearchRosterByName: async({ username: "str" }),
    asyncSearchRosterById: async({ user_id: "id" }),
  };

  const groupManage = {
    asyncGetGroupInfo: asyncPos(["gid", "id"]),
    asyncGetJoinedGroups: none("force is a flag"),
    openGroup: sync(["gid", "id"]),
    getAllGroupDetail: none("no parameters"),
    asyncGetGroupMembers: asyncPos(["gid", "id"]),
    getGroupMembers: get(["gid", "id"]),
    asyncGetGroupListDetail: { kind: "async", args: [[], ...WRONG.ids.map((w) => [w])] },
    getGruopMessage: get(["gid", "id"]),
    readGroupMessage: sync(["gid", "id"], ["mid", "mid?"]),
    recallMessage: sync(["gid", "id"], ["mid", "mid"]),
    deleteMessage: sync(["gid", "id"], ["mid", "mid"]),
    appendMessageContent: sync(["gid", "id"], ["mid", "mid"], ["content", "str"]),
    replaceMessage: sync(["gid", "id"], ["mid", "mid"], ["content", "str?"], ["config", "obj?"], ["ext", "str?"]),
    getUnreadCount: get(["gid", "id"]),
    consumeGroupAtStatus: sync(["gid", "id"]),
    // gid | {group_id}: a bad id in either form.
    asyncGetInfo: { kind: "async", args: [[], ...WRONG.id.map((w) => [w]), ...WRONG.id.map((w) => [{ group_id: w }]), [{}]] },
    asyncGetMemberList: { kind: "async", args: [[], ...WRONG.id.map((w) => [w]), ...WRONG.id.map((w) => [{ group_id: w }]), [{}]] },
    asyncCreate: async({ name: "str", user_list: "ids?", description: "str?", avatar: "str?", type: "int?" }),
    asyncDestroy: G(ctx),
    asyncGetPublicList: none("no parameters"),
    asyncGetUserJoined: none("no parameters"),
    asyncUpdateName: G(ctx, { value: "str" }),
    asyncUpdateAvatar: G(ctx, { value: "str" }),
    asyncUpdateDescription: G(ctx, { value: "str" }),
    asyncUpdateExt: G(ctx, { value: "str" }),
    asyncGetSettings: G(ctx),
    asyncUpdateAllowMemberInvitation: G(ctx, { value: "bool" }),
    asyncUpdateAllowMemberModify: G(ctx, { value: "bool" }),
    asyncUpdateEnableReadack: G(ctx, { value: "bool" }),
    asyncUpdateHistoryVisible: G(ctx, { value: "bool" }),
    asyncHideMemberInfo: G(ctx, { value: "bool" }),
    asyncUpdateRequireadminapproval: G(ctx, { apply_approval: "int" }),
    asyncBanAll: G(ctx, { duration: "int" }),
    asyncUnBanAll: G(ctx),
    asyncGroupMsgMutemode: G(ctx, { msg_mute_mode: "int" }),
    asyncUpdateMsgNotDisturb: G(ctx, { value: "bool" }),
    asyncGetAdminList: G(ctx),
    asyncAdminAdd: G(ctx, { user_list: "ids" }),
    asyncAdminRemove: G(ctx, { user_list: "ids" }),
    asyncOwnerTransfer: G(ctx, { new_owner: "id" }),
    asyncApply: G(ctx, { reason: "str?" }),
    asyncApplyHandle: G(ctx, { user_id: "id", approval: "bool" }),
    asncGetApplicationList: async({ group_list: "ids" }),
    asyncInvite: G(ctx, { user_list: "ids", reason: "str?" }),
    asyncInviteHandle: G(ctx, { user_id: "id", approval: "bool" }),
    asyncGetInvitationList: none("no required parameters"),
    asyncKick: G(ctx, { user_list: "ids" }),
    asyncLeave: G(ctx),
    asyncGroupBlock: G(ctx, { user_list: "ids" }),
    asyncGroupUnblock: G(ctx, { user_list: "ids" }),
    asyncGroupBockedlist: G(ctx),
    asyncGroupBab: G(ctx, { user_list: "ids", duration: "int" }),
    asyncGroupUnban: G(ctx, { user_list: "ids" }),
    asyncGroupBannedList: G(ctx),
    asyncGetMemberDisplayName: G(ctx, { user_list: "ids" }),
    asyncUpdateDisplayName: G(ctx, { value: "str" }),
    asyncGetAnnouncementList: G(ctx),
    asyncGetAnouncementById: G(ctx, { announcement_id: "id" }),
    asyncAnnouncementEdit: G(ctx, { title: "str", content: "str" }),
    asyncAnouncementDelete: G(ctx, { announcement_id: "id" }),
    asyncGetFileList: G(ctx),
    asyncFileUpload: G(ctx, { name: "str", size: "int", type: "str", url: "str" }),
    asyncFileDelete: G(ctx, { file_list: "ids" }),
  };

  const sysManage = {
    getStaticVars: none("no parameters"),
    sendRosterMessage: syncObj({ uid: "id", content: "str", ext: "str?", config: "obj?" }),
    sendGroupMessage: syncObj({ gid: "id", content: "str", ext: "str?" }),
    sendMentionMessage: syncObj({ gid: "id", txt: "str", mentionAll: "bool?", mentionList: "ids?" }),
    sendInputStatusMessage: { kind: "sync", args: [[], ["abc", "typing"], [1.5, "typing"], [{}, "typing"], [ctx.peer, 42], [ctx.peer, "dancing"], [ctx.peer]] },
    forwardMessage: {
      kind: "sync",
      args: [[], [null], ...WRONG.obj.map((w) => [w]), [{ uid: ctx.peer }], [{ uid: ctx.peer, message: 42 }], [{ uid: "abc", message: ctx.message }], [{ message: ctx.message }]],
    },
    // A raw frame: internal, and the facade MAY omit it (JSAPI.md §7); an omitted one rejects
    // "not implemented" (GeneralError) whatever the arguments.
    sendMessage: { kind: "sync", accept: ["InvalidParam", "GeneralError"], args: [[], [null], ...WRONG.obj.map((w) => [w])] },
    // sid and amount have defaults (0 = the newest page; a page size).
    requireHistoryMessage: sync(["uid", "id"], ["sid", "int?"], ["amount", "int?"]),
    getNoticeMessage: none("no parameters"),
    getMessageStatus: get(["uid", "id"], ["mid", "mid"], ["isGroup", "bool?"]),
    markMessageUnread: sync(["uid", "id"], ["mid", "mid"], ["isGroup", "bool?"]),
    getConversationDraft: get(["uid", "id"], ["type", "ctype"]),
    // A missing draft clears it.
    saveConversationDraft: sync(["uid", "id"], ["type", "ctype"], ["draft", "str?"]),
    touchConversation: sync(["uid", "id"], ["type", "ctype"]),
    deleteConversation: { kind: "sync", args: [[], ...WRONG.id.map((w) => [w])] },
    makeSearch: get(["keyword", "str"]),
    asyncFileUpload: {
      kind: "async",
      // The upload codes of ERRORS.md §7 name what is wrong more precisely than InvalidParam.
      accept: ["InvalidParam", "InvalidFileUploadToType", "InvalidFileObjectType"],
      args: [
        [],
        [null],
        ...WRONG.obj.map((w) => [w]),
        [{ fileType: "file", toType: "chat", to_id: ctx.peer, chatType: "roster" }],
        [{ file: 42, fileType: "file", toType: "chat", to_id: ctx.peer, chatType: "roster" }],
        [{ file: ctx.blob, fileType: "nonsense", toType: "chat", to_id: ctx.peer, chatType: "roster" }],
        [{ file: ctx.blob, fileType: "file", toType: "nonsense", to_id: ctx.peer, chatType: "roster" }],
        [{ file: ctx.blob, fileType: "file", toType: "chat", to_id: "abc", chatType: "roster" }],
        [{ file: ctx.blob, fileType: "file", toType: "chat", to_id: ctx.peer, chatType: "roster", processCallback: 42 }],
      ],
    },
    asyncGetUserAvatarUploadUrl: none("no parameters"),
    asyncGetGroupAvatarUploadUrl: G(ctx),
    asyncGetFileUploadChatFileUrl: async({ file_type: "int", to_type: "int", to_id: "id" }),
    getImage: getObj({ avatar: "str?", type: "ctype?", thumbnail: "bool?" }),
    getAudio: getObj({ url: "str" }),
    getChatFile: getObj({ url: "str" }),
    downloadAudio: async({ url: "str", processCallback: "fn?" }),
    getServers: none("appid is optional and only selects the app"),
    getLinkServer: none("no parameters"),
    getAppConfig: get(["appid", "str?"]),
    getAppStatus: get(["appid", "str?"]),
    getAccountVerification: get(["appid", "str?"]),
    getServerIp: get(["appid", "str?"]),
    aysncParseLink: { kind: "async", args: [[], [42, { link: "x" }], ["https://example.com", 42]] },
    aysncParseLinkV2: { kind: "async", args: [[], [42], [{}]] },
    asyncQrcode: passThrough(),
    asyncQrlogin: passThrough(),
    asyncQrcodeGroupsign: passThrough(),
    asyncQrcodeGroupinvite: passThrough(),
    asyncWoaQrcode: passThrough(),
    asyncWoaQrcodeStatus: passThrough(),
    asyncWoaQrlogin: passThrough(),
    asyncWoaIsBind: passThrough(),
    asyncWxlogin: passThrough(),
    asyncWxbind: passThrough(),
    asyncGetStaticContact: passThrough(),
    asyncWechatUnbind: passThrough(),
    asyncWechatIsbind: passThrough(),
    asyncWechatBind: passThrough(),
  };

  const rtcNames = [
    "initRTCEngine", "destroy", "sendRTCMessage", "joinRoom", "leaveRoom", "publish", "unPublish", "subscribe",
    "unSubscribe", "muteLocalAudio", "muteLocalVideo", "muteRemoteAudio", "muteRemoteVideo", "getJanusObject",
    "getPublishHandler", "getSubscribeHandler", "getInCallStatus",
  ];
  const rtcManage = Object.fromEntries(rtcNames.map((n) => [n, { kind: "rtc", args: [[], [42]] }]));

  return { userManage, rosterManage, groupManage, sysManage, rtcManage };
}

/** Codes accepted for the login methods' bad inputs. */
const SIGN_IN = ["InvalidParam", "SignInInvalidParam"];

/**
 * The client's own methods (JSAPI.md §3 and the facade's extensions), called on a client that is
 * logged in: none of these calls may end its session. login, idLogin, qrlogin and tokenLogin must
 * reject before touching the running session.
 */
export function topLevelTable(ctx) {
  const fn = () => {};
  return {
    // Missing credentials are SignInInvalidParam (ERRORS.md §7: "Sign-in called without the
    // required credentials"); wrong types are InvalidParam. Either is right for these rows.
    login: { kind: "async", accept: SIGN_IN, args: [[], [null], [42], ["alice"], [{ name: 42, password: "x" }], [{ name: "x", password: 42 }], [{ name: "x" }]] },
    idLogin: { kind: "async", accept: SIGN_IN, args: [[], [null], [42], [{ user_id: "abc", password: "x" }], [{ user_id: 1.5, password: "x" }], [{ user_id: ctx.peer, password: 42 }], [{ password: "x" }]] },
    qrlogin: { kind: "async", accept: SIGN_IN, args: [[], [42], [{ user_id: "abc", password: "x" }]] },
    tokenLogin: { kind: "async", accept: SIGN_IN, args: [[], ["abc", "token"], [1.5, "token"], [ctx.peer, 42], [ctx.peer]] },
    on: { kind: "sync", args: [[], ["onRosterMessage"], ["onRosterMessage", 42], [42, fn], [null]] },
    listen: { kind: "sync", args: [[], ["onRosterMessage", 42], [42, fn]] },
    off: { kind: "sync", args: [[], [42, fn], ["onRosterMessage", 42]] },
    once: { kind: "sync", args: [[], [42]] },
    setLogLevel: { kind: "sync", args: [[], ["loud"], [42]] },
    logout: { kind: "async", args: [[42], ["all"]] },
  };
}

/** Top-level methods that take no argument that could be wrong. */
export const topLevelWithoutParams = [
  "ready", "isLogin", "isReady", "isAppInfoReady", "disConnect", "reconnect", "state", "close", "cleanup", "kickAllWeb", "wxlogin",
];
