/*
 * lumina-socket.js — the LuminaBI WebSocket client (plain ES2017, no build step, no dependencies).
 *
 * One LuminaSocket per channel socket. The socket path is the subscription: reconnecting to the
 * same path rejoins the same group, so "resubscribe" is simply reconnecting (the server sends the
 * fresh `presence` list or `upload_resume` again on every join).
 *
 *   const socket = new LuminaSocket('/ws/dashboard/5/', {
 *     onMessage: {                                   // one handler per envelope "type"
 *       presence: (msg) => setUsers(msg.users),
 *       presence_diff: (msg) => applyDiff(msg.joins, msg.leaves),
 *       filter_change: (msg) => applyFilters(msg.filters, msg.user),
 *       '*': (msg) => console.debug('unhandled', msg.type)  // optional fallback
 *     },
 *     onOpen: () => {},                              // after every (re)connect
 *     onClose: (info) => {},                         // {code, reason, willReconnect}
 *     onStatus: (status, detail) => badge.textContent = status,
 *     token: 'abc',                                  // optional: sent as ?token= (scripts, no cookie)
 *     maxQueue: 100,                                 // sends kept while disconnected (oldest dropped)
 *     minDelay: 500, maxDelay: 15000                 // reconnect backoff bounds in ms
 *   });
 *   socket.send({type: 'filter_change', filters: {region: 'EU'}});
 *   socket.sendBinary(arrayBuffer);                  // upload chunks
 *   socket.on('widget_update', handler);             // add or replace a handler later
 *   socket.close();                                  // stop for good
 *
 * Status (socket.status, and onStatus): 'connecting' | 'open' | 'reconnecting' | 'unauthorized'
 * (close 4401: not signed in / bad token) | 'forbidden' (4403: no access) | 'closed' (close()).
 * After 4401/4403 the client does not reconnect: retrying cannot succeed until the user signs in.
 *
 * Reconnect: exponential backoff from minDelay doubling up to maxDelay, with full jitter (a random
 * delay between half and all of the step) so that thousands of tabs do not reconnect in lockstep
 * after a server restart. The step resets once a connection has stayed open for 5 seconds.
 * 1013 ("try again later": this tab was too slow) is retried like any other drop.
 *
 * Queue: send() while disconnected queues the message (at most maxQueue, oldest dropped, count in
 * socket.dropped); the queue is flushed in order right after the next open. Binary sends are not
 * queued (an upload resumes from the offset the server reports in `upload_resume`); sendBinary
 * returns false when the socket is not open.
 */
(function (global) {
  'use strict';

  var STABLE_AFTER_MS = 5000;
  var CLOSE_UNAUTHORIZED = 4401;
  var CLOSE_FORBIDDEN = 4403;

  function socketURL(path, token) {
    var loc = global.location;
    var url;
    if (/^wss?:\/\//.test(path)) {
      url = new URL(path);
    } else {
      url = new URL(path, loc.href);
      url.protocol = loc.protocol === 'https:' ? 'wss:' : 'ws:';
    }
    if (token) url.searchParams.set('token', token);
    return url.toString();
  }

  function LuminaSocket(path, options) {
    if (!(this instanceof LuminaSocket)) return new LuminaSocket(path, options);
    options = options || {};
    this.path = path;
    this.handlers = Object.assign({}, options.onMessage || {});
    this.onOpen = options.onOpen || null;
    this.onClose = options.onClose || null;
    this.onStatus = options.onStatus || null;
    this.token = options.token || null;
    this.maxQueue = options.maxQueue || 100;
    this.minDelay = options.minDelay || 500;
    this.maxDelay = options.maxDelay || 15000;
    this.queue = [];
    this.dropped = 0;
    this.attempt = 0;
    this.status = null;
    this.ws = null;
    this.timer = null;
    this.openedAt = 0;
    this.stopped = false;
    this.setStatus('connecting');
    this.connect();
  }

  LuminaSocket.prototype.setStatus = function (status, detail) {
    if (this.status === status) return;
    this.status = status;
    if (this.onStatus) this.onStatus(status, detail || {});
  };

  LuminaSocket.prototype.connect = function () {
    var self = this;
    self.timer = null;
    if (self.stopped) return;
    var ws;
    try {
      ws = new WebSocket(socketURL(self.path, self.token));
    } catch (error) {
      self.scheduleReconnect({code: 0, reason: String(error)});
      return;
    }
    ws.binaryType = 'arraybuffer';
    self.ws = ws;
    ws.onopen = function () {
      self.openedAt = Date.now();
      self.setStatus('open');
      var pending = self.queue;
      self.queue = [];
      for (var i = 0; i < pending.length; i++) ws.send(pending[i]);
      if (self.onOpen) self.onOpen();
    };
    ws.onmessage = function (event) {
      if (typeof event.data !== 'string') return;
      var message;
      try {
        message = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      self.dispatch(message);
    };
    ws.onclose = function (event) {
      if (self.ws !== ws) return;
      self.ws = null;
      if (self.openedAt && Date.now() - self.openedAt >= STABLE_AFTER_MS) self.attempt = 0;
      self.openedAt = 0;
      var info = {code: event.code, reason: event.reason};
      if (self.stopped) {
        info.willReconnect = false;
        self.setStatus('closed', info);
      } else if (event.code === CLOSE_UNAUTHORIZED || event.code === CLOSE_FORBIDDEN) {
        self.stopped = true;
        info.willReconnect = false;
        self.setStatus(event.code === CLOSE_UNAUTHORIZED ? 'unauthorized' : 'forbidden', info);
      } else {
        info.willReconnect = true;
        self.scheduleReconnect(info);
      }
      if (self.onClose) self.onClose(info);
    };
    // Errors are always followed by a close event; reconnecting happens there.
    ws.onerror = function () {};
  };

  LuminaSocket.prototype.scheduleReconnect = function (info) {
    var step = Math.min(this.maxDelay, this.minDelay * Math.pow(2, this.attempt));
    var delay = Math.round(step / 2 + Math.random() * step / 2);
    this.attempt += 1;
    info.delay = delay;
    this.setStatus('reconnecting', info);
    var self = this;
    this.timer = setTimeout(function () { self.connect(); }, delay);
  };

  /** The one place that routes a server message to its handler, by `type`. */
  LuminaSocket.prototype.dispatch = function (message) {
    if (!message || typeof message.type !== 'string') return;
    var handler = this.handlers[message.type] || this.handlers['*'];
    if (!handler) return;
    try {
      handler(message, this);
    } catch (error) {
      if (global.console) global.console.error('lumina-socket handler for ' + message.type + ' failed', error);
    }
  };

  LuminaSocket.prototype.on = function (type, handler) {
    this.handlers[type] = handler;
    return this;
  };

  /** Sends a JSON object; queued (bounded, oldest dropped) while not connected. */
  LuminaSocket.prototype.send = function (object) {
    var text = JSON.stringify(object);
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(text);
      return true;
    }
    if (this.stopped) return false;
    this.queue.push(text);
    while (this.queue.length > this.maxQueue) {
      this.queue.shift();
      this.dropped += 1;
    }
    return false;
  };

  /** Sends an ArrayBuffer (or view) as one binary frame; false when not connected. */
  LuminaSocket.prototype.sendBinary = function (buffer) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(buffer);
    return true;
  };

  /** Bytes accepted by send/sendBinary but not yet written (for upload flow control). */
  LuminaSocket.prototype.bufferedAmount = function () {
    return this.ws ? this.ws.bufferedAmount : 0;
  };

  /** Closes for good: no reconnect; queued messages are discarded. */
  LuminaSocket.prototype.close = function (code, reason) {
    this.stopped = true;
    this.queue = [];
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.ws) {
      this.ws.close(code || 1000, reason || '');
    } else {
      this.setStatus('closed', {code: code || 1000, reason: reason || ''});
    }
  };

  global.LuminaSocket = LuminaSocket;
  if (typeof module !== 'undefined' && module.exports) module.exports = LuminaSocket;
})(typeof window !== 'undefined' ? window : globalThis);
