// The app owns the one Floo client of the mini-program: pages come and go, the connection stays.
// flooim() returns at once; the wasm module (miniprogram_npm/floo-wasm/floo.wasm.br, placed there
// by "Build npm" or by prepare.sh) loads in the background and calls made meanwhile wait for it.
const { flooim } = require("floo-wasm");

const SERVER_KEY = "example.server";

App({
  globalData: { im: null, server: "" },

  onLaunch() {
    // A server used before: start at once, so that the stored session resumes (autoLogin).
    const server = wx.getStorageSync(SERVER_KEY);
    if (server) this.client(server);
  },

  /**
   * The client for server (a reference server base URL, e.g. http://127.0.0.1:8080), created on
   * first use. A different server replaces the client.
   */
  client(server) {
    const g = this.globalData;
    if (g.im && g.server === server) return g.im;
    if (g.im) g.im.close();
    wx.setStorageSync(SERVER_KEY, server);
    g.server = server;
    g.im = flooim({
      appid: "welovemaxim",
      dnsServer: `${server}/v2/app_dns`,
      logLevel: "info",
    });
    return g.im;
  },
});
