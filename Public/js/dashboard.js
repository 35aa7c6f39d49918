/*
 * The dashboard page: who else is looking (presence), whether the page is live, and changes made
 * by collaborators (renames, filter changes, pushed events) applied without a reload.
 * Uses lumina-socket.js; the page provides data-dashboard-id on #dashboard.
 */
(function () {
  'use strict';
  var root = document.getElementById('dashboard');
  if (!root || !window.LuminaSocket) return;
  var id = root.getAttribute('data-dashboard-id');
  var status = document.getElementById('live-status');
  var presence = document.getElementById('presence');
  var activity = document.getElementById('activity');
  var users = {};

  function renderPresence() {
    var list = Object.keys(users).map(function (key) { return users[key]; });
    list.sort(function (a, b) { return a.id - b.id; });
    presence.textContent = '';
    list.forEach(function (user) {
      var item = document.createElement('li');
      item.className = 'avatar';
      item.textContent = user.name;
      item.setAttribute('data-user-id', user.id);
      presence.appendChild(item);
    });
    presence.setAttribute('data-count', list.length);
  }

  function note(text) {
    var item = document.createElement('li');
    item.textContent = text;
    activity.insertBefore(item, activity.firstChild);
    while (activity.children.length > 20) activity.removeChild(activity.lastChild);
  }

  var socket = new window.LuminaSocket('/ws/dashboard/' + id + '/', {
    onStatus: function (state) {
      status.textContent = state === 'open' ? 'live' : state;
      status.className = 'live-status live-' + state;
    },
    onMessage: {
      presence: function (msg) {
        users = {};
        (msg.users || []).forEach(function (user) { users[user.id] = user; });
        renderPresence();
      },
      presence_diff: function (msg) {
        (msg.leaves || []).forEach(function (user) { delete users[user.id]; });
        (msg.joins || []).forEach(function (user) { users[user.id] = user; });
        renderPresence();
      },
      dashboard_update: function (msg) {
        var dashboard = msg.dashboard || {};
        document.getElementById('dashboard-name').textContent = dashboard.name;
        var version = document.querySelector('input[name=version]');
        if (version) version.value = dashboard.version;
        note((msg.user ? msg.user.name : 'Someone') + ' renamed the dashboard to “' + dashboard.name + '”');
      },
      filter_change: function (msg) {
        note((msg.user ? msg.user.name : 'Someone') + ' changed filters: ' + JSON.stringify(msg.filters || {}));
      },
      widget_update: function (msg) {
        note((msg.user ? msg.user.name : 'Someone') + ' updated a chart');
      },
      insights_generated: function (msg) {
        note('New insights for dataset ' + msg.dataset_id);
      },
      '*': function (msg) {
        if (msg.type === 'error') { note('Error: ' + msg.message); return; }
        note((msg.user ? msg.user.name + ': ' : '') + (msg.text || msg.type));
      }
    }
  });
  window.luminaDashboardSocket = socket;
})();
