// One page: log in (or register) against a Floo reference server, then chat one-to-one.
const app = getApp();

const STATE_TEXT = {
  idle: "Not connected",
  connecting: "Connecting…",
  connected: "Online",
  reconnecting: "Reconnecting…",
  disconnected: "Offline",
  closed: "Closed",
};

function time(ms) {
  const d = new Date(Number(ms) || Date.now());
  const pad = (n) => (n < 10 ? "0" : "") + n;
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

Page({
  data: {
    server: "http://127.0.0.1:8080",
    name: "",
    password: "",
    busy: false,
    loggedIn: false,
    uid: "",
    state: "idle",
    stateText: STATE_TEXT.idle,
    peer: "",
    draft: "",
    messages: [],
    lastId: "",
  },

  onLoad() {
    const g = app.globalData;
    if (g.server) this.setData({ server: g.server });
    if (g.im) this.attach(g.im);
  },

  onUnload() {
    this.detach();
  },

  // --- the client ----------------------------------------------------------------------------

  /** Subscribes this page to the client's events (once per client). */
  attach(im) {
    if (this.im === im) return;
    this.detach();
    this.im = im;
    this.handlers = {
      connectionStateChanged: ({ state }) => this.setData({ state, stateText: STATE_TEXT[state] || state }),
      loginSuccess: () => this.setData({ loggedIn: true, uid: String(im.userManage.getUid() || "") }),
      logout: () => this.setData({ loggedIn: false, uid: "", messages: [] }),
      onRosterMessage: (m) => this.add(m),
      flooError: (e) => console.warn("floo error", e.category, e.desc),
    };
    im.on(this.handlers);
    // A resumed session (autoLogin) may already be up.
    if (im.isLogin()) this.setData({ loggedIn: true, uid: String(im.userManage.getUid() || "") });
    this.setData({ state: im.state(), stateText: STATE_TEXT[im.state()] || im.state() });
  },

  detach() {
    if (this.im && this.handlers) this.im.off(this.handlers);
    this.im = null;
  },

  add(m) {
    const mine = String(m.from) === this.data.uid;
    const peer = mine ? String(m.to) : String(m.from);
    if (!this.data.peer) this.setData({ peer });
    const key = m.id || `${Date.now()}${Math.random()}`;
    const messages = this.data.messages.concat([{ key, from: String(m.from), mine, content: m.content, time: time(m.timestamp) }]);
    this.setData({ messages, lastId: `m${key}` });
  },

  // --- inputs ----------------------------------------------------------------------------------

  onServer(e) {
    this.setData({ server: e.detail.value.trim().replace(/\/+$/, "") });
  },
  onName(e) {
    this.setData({ name: e.detail.value.trim() });
  },
  onPassword(e) {
    this.setData({ password: e.detail.value });
  },
  onPeer(e) {
    this.setData({ peer: e.detail.value.trim() });
  },
  onDraft(e) {
    this.setData({ draft: e.detail.value });
  },

  // --- actions ---------------------------------------------------------------------------------

  async login() {
    const { server, name, password } = this.data;
    if (!server || !name || !password) {
      wx.showToast({ title: "Server, name and password", icon: "none" });
      return;
    }
    this.setData({ busy: true });
    try {
      const im = app.client(server);
      this.attach(im);
      await im.login({ name, password });
      this.setData({ loggedIn: true, uid: String(im.userManage.getUid()) });
    } catch (e) {
      wx.showToast({ title: (e && e.message) || "Login failed", icon: "none" });
    } finally {
      this.setData({ busy: false });
    }
  },

  /** Registers through the server's REST API (open registration), then logs in. */
  register() {
    const { server, name, password } = this.data;
    if (!server || !name || !password) {
      wx.showToast({ title: "Server, name and password", icon: "none" });
      return;
    }
    this.setData({ busy: true });
    wx.request({
      url: `${server}/user/register/v2`,
      method: "POST",
      header: { app_id: "welovemaxim", "content-type": "application/json" },
      data: { username: name, password },
      success: (res) => {
        this.setData({ busy: false });
        if (res.data && res.data.code === 200) this.login();
        else wx.showToast({ title: (res.data && res.data.message) || `HTTP ${res.statusCode}`, icon: "none" });
      },
      fail: (err) => {
        this.setData({ busy: false });
        wx.showToast({ title: err.errMsg, icon: "none" });
      },
    });
  },

  async send() {
    const content = this.data.draft.trim();
    const uid = this.data.peer;
    if (!content || !uid || !this.im) return;
    try {
      await this.im.sysManage.sendRosterMessage({ uid, content });
      this.setData({ draft: "" });
      this.add({ from: this.data.uid, to: uid, content, timestamp: Date.now() });
    } catch (e) {
      wx.showToast({ title: (e && e.message) || "Not sent", icon: "none" });
    }
  },

  async logout() {
    if (this.im) await this.im.logout().catch(() => {});
    this.setData({ loggedIn: false, messages: [] });
  },
});
