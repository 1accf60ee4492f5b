// A minimal RFC 6455 WebSocket client over Node's http(s) upgrade, for the emulated
// wx.connectSocket: masked client frames, binary and text messages, fragmentation, ping/pong and
// the close handshake. Node 20 has no WebSocket client, and a hand-written one lets the harness
// drop a connection the way a network does (the TCP socket just dies, no close frame).

import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import https from "node:https";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** Builds one masked client frame. */
function frame(opcode, payload) {
  const len = payload.length;
  const head = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const out = Buffer.alloc(head + 4 + len);
  out[0] = 0x80 | opcode;
  if (len < 126) {
    out[1] = 0x80 | len;
  } else if (len < 65536) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeBigUInt64BE(BigInt(len), 2);
  }
  const mask = randomBytes(4);
  mask.copy(out, head);
  for (let i = 0; i < len; i++) out[head + 4 + i] = payload[i] ^ mask[i & 3];
  return out;
}

/**
 * Opens a WebSocket to url and reports through the handlers: onOpen(headers), onMessage(Buffer,
 * isText), onClose(code, reason), onError(message). Every handler is called at most in that
 * order and onClose exactly once. Returns {send(buf, isText), close(code, reason), drop()}.
 */
export function connectWebSocket(url, { headers = {}, timeout = 10000 } = {}, handlers) {
  const u = new URL(url);
  const key = randomBytes(16).toString("base64");
  const mod = u.protocol === "wss:" ? https : http;
  let sock;
  let closed = false;
  let closeSent = false;
  let buf = Buffer.alloc(0);
  let fragments = [];
  let fragText = false;

  const finish = (code, reason) => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    if (sock) sock.destroy();
    handlers.onClose(code, reason);
  };
  const fail = (message) => {
    if (closed) return;
    handlers.onError(message);
    finish(1006, "abnormal closure");
  };

  const req = mod.request({
    host: u.hostname,
    port: u.port || (u.protocol === "wss:" ? 443 : 80),
    path: u.pathname + u.search,
    headers: {
      ...headers,
      Connection: "Upgrade",
      Upgrade: "websocket",
      "Sec-WebSocket-Key": key,
      "Sec-WebSocket-Version": "13",
    },
  });
  const timer = setTimeout(() => {
    req.destroy();
    fail("connect timeout");
  }, timeout);
  req.on("error", (err) => fail(err.message));
  req.on("response", (res) => {
    res.resume();
    fail(`Invalid HTTP status ${res.statusCode}`);
  });
  req.on("upgrade", (res, socket, head) => {
    clearTimeout(timer);
    const want = createHash("sha1").update(key + GUID).digest("base64");
    if (res.headers["sec-websocket-accept"] !== want) {
      socket.destroy();
      fail("bad Sec-WebSocket-Accept");
      return;
    }
    sock = socket;
    socket.setNoDelay(true);
    socket.on("data", onData);
    socket.on("error", () => {});
    socket.on("close", () => finish(1006, "abnormal closure"));
    handlers.onOpen(res.headers);
    if (head && head.length) onData(head);
  });
  req.end();

  function onData(chunk) {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    while (!closed) {
      if (buf.length < 2) return;
      const fin = (buf[0] & 0x80) !== 0;
      const opcode = buf[0] & 0x0f;
      const masked = (buf[1] & 0x80) !== 0;
      let len = buf[1] & 0x7f;
      let off = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (buf.length < 10) return;
        len = Number(buf.readBigUInt64BE(2));
        off = 10;
      }
      const maskOff = off;
      if (masked) off += 4;
      if (buf.length < off + len) return;
      let payload = Buffer.from(buf.subarray(off, off + len));
      if (masked) for (let i = 0; i < len; i++) payload[i] ^= buf[maskOff + (i & 3)];
      buf = buf.subarray(off + len);
      if (opcode === 0x8) {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        const reason = payload.length > 2 ? payload.subarray(2).toString("utf8") : "";
        if (!closeSent) {
          closeSent = true;
          sock.write(frame(0x8, payload.subarray(0, 2)));
        }
        sock.end();
        finish(code, reason);
        return;
      }
      if (opcode === 0x9) {
        sock.write(frame(0xa, payload));
        continue;
      }
      if (opcode === 0xa) continue;
      if (opcode === 0x1 || opcode === 0x2) {
        fragments = [payload];
        fragText = opcode === 0x1;
      } else if (opcode === 0x0) {
        fragments.push(payload);
      } else {
        fail(`unknown opcode ${opcode}`);
        return;
      }
      if (fin) {
        const msg = fragments.length === 1 ? fragments[0] : Buffer.concat(fragments);
        fragments = [];
        handlers.onMessage(msg, fragText);
      }
    }
  }

  return {
    send(data, isText = false) {
      if (closed || closeSent || !sock) throw new Error("WebSocket is not connected");
      sock.write(frame(isText ? 0x1 : 0x2, data));
    },
    close(code = 1000, reason = "") {
      if (closed) return;
      if (!sock) {
        req.destroy();
        finish(code, reason);
        return;
      }
      if (!closeSent) {
        closeSent = true;
        const r = Buffer.from(reason, "utf8");
        const p = Buffer.alloc(2 + r.length);
        p.writeUInt16BE(code, 0);
        r.copy(p, 2);
        sock.write(frame(0x8, p));
      }
      // The server answers with its close frame; give up waiting after a while.
      setTimeout(() => finish(code, reason), 2000).unref();
    },
    /**
     * Kills the TCP connection without a close frame, as a lost network does, and reports the
     * close with the given code and reason (default 1006, as a browser or WeChat would).
     */
    drop(code = 1006, reason = "abnormal closure") {
      if (sock) sock.destroy();
      else req.destroy();
      finish(code, reason);
    },
  };
}
