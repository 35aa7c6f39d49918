/*
 * admin-jobs.js — live job pages for administrators (/admin/jobs/ and /admin/jobs/runs/<id>/).
 *
 * The pages are complete without JavaScript; this script keeps them current: `job_started`,
 * `job_progress` and `job_finished` arrive on /ws/notifications/ (admins' group) and update the
 * job list, the run history and an open run page in place. "Run now" posts through the JSON API
 * so the page stays where it is; the new run appears from the response and the socket alike.
 */
(function () {
  'use strict';

  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';
  var runList = document.getElementById('run-list');
  var jobList = document.getElementById('job-list');
  var runDetail = document.getElementById('run-detail');
  var liveStatus = document.getElementById('live-status');

  var el = LuminaDOM.el;

  function formatDate(iso) {
    if (!iso) return '–';
    var d = new Date(iso);
    function two(n) { return n < 10 ? '0' + n : String(n); }
    return d.getUTCFullYear() + '-' + two(d.getUTCMonth() + 1) + '-' + two(d.getUTCDate()) + ' ' +
      two(d.getUTCHours()) + ':' + two(d.getUTCMinutes()) + ' UTC';
  }

  function formatTime(iso) {
    var d = new Date(iso);
    function two(n) { return n < 10 ? '0' + n : String(n); }
    return two(d.getUTCHours()) + ':' + two(d.getUTCMinutes()) + ':' + two(d.getUTCSeconds());
  }

  function formatDuration(ms) {
    if (ms === null || ms === undefined) return '–';
    if (ms < 1000) return ms + ' ms';
    if (ms < 60000) return (ms / 1000).toFixed(1) + ' s';
    return Math.floor(ms / 60000) + ' min ' + Math.floor((ms % 60000) / 1000) + ' s';
  }

  function formatItems(run) {
    if (run.items_total !== null && run.items_total !== undefined) return run.items + ' / ' + run.items_total;
    return run.items > 0 ? String(run.items) : '–';
  }

  function statusBadge(status) {
    return el('span', {'class': 'status status-' + status}, [status]);
  }

  function matchesFilters(run) {
    if (!runList) return false;
    var job = runList.dataset.filterJob, status = runList.dataset.filterStatus, date = runList.dataset.filterDate;
    if (job && run.job !== job) return false;
    if (status && run.status !== status) return false;
    if (date && run.started_at.slice(0, 10) !== date) return false;
    return true;
  }

  function runRow(run) {
    var link = el('a', {href: '/admin/jobs/runs/' + run.id + '/'}, [String(run.id)]);
    return el('tr', {'data-run-id': String(run.id), 'class': 'run-new'}, [
      el('td', {}, [link]), el('td', {}, [el('code', {}, [run.job])]), el('td', {}, [run.trigger]),
      el('td', {'class': 'run-status'}, [statusBadge(run.status)]),
      el('td', {}, [el('time', {datetime: run.started_at}, [formatDate(run.started_at)])]),
      el('td', {'class': 'run-duration'}, [formatDuration(run.duration_ms)]),
      el('td', {'class': 'run-items'}, [formatItems(run)]), el('td', {}, [run.node]),
      el('td', {'class': 'run-error'}, [run.error || ''])
    ]);
  }

  function updateCells(container, run) {
    var status = container.querySelector('.run-status');
    if (status) { status.textContent = ''; status.appendChild(statusBadge(run.status)); }
    var duration = container.querySelector('.run-duration');
    if (duration) duration.textContent = formatDuration(run.duration_ms);
    var items = container.querySelector('.run-items');
    if (items) items.textContent = formatItems(run);
    var error = container.querySelector('.run-error');
    if (error) error.textContent = run.error || '';
  }

  /** Adds a run to the history or updates its row; new runs go on top when they match the filters. */
  function upsertRun(run) {
    if (!runList) return;
    var row = runList.querySelector('tr[data-run-id="' + run.id + '"]');
    if (row) { updateCells(row, run); return; }
    if (!matchesFilters(run)) return;
    var body = runList.tBodies[0];
    body.insertBefore(runRow(run), body.firstChild);
    var empty = document.getElementById('no-runs');
    if (empty) empty.hidden = true;
    var count = document.getElementById('run-count');
    if (count) count.textContent = String(Number(count.textContent || 0) + 1);
  }

  function updateJob(run) {
    if (!jobList) return;
    var row = jobList.querySelector('tr[data-job="' + run.job + '"]');
    if (!row) return;
    var cell = row.querySelector('.last-run');
    cell.textContent = '';
    cell.appendChild(el('a', {href: '/admin/jobs/runs/' + run.id + '/'}, [statusBadge(run.status)]));
    cell.appendChild(document.createTextNode(' '));
    cell.appendChild(el('span', {'class': 'muted'}, [formatDate(run.started_at)]));
  }

  function updateDetail(run) {
    if (!runDetail || runDetail.dataset.runId !== String(run.id)) return;
    updateCells(runDetail, run);
    var log = document.getElementById('run-log');
    if (!log) return;
    var body = log.tBodies[0];
    body.textContent = '';
    (run.log || []).forEach(function (line) {
      body.appendChild(el('tr', {'class': 'log-' + line.level}, [
        el('td', {}, [formatTime(line.at)]), el('td', {}, [line.level]), el('td', {}, [line.message])
      ]));
    });
  }

  // The "Run now" response and the socket events race: a finished run must never be shown as
  // running again because its (older) 202 response arrived after `job_finished`.
  var finishedRuns = {};

  function onRun(message) {
    var run = message.run;
    if (!run) return;
    if (run.status !== 'running') finishedRuns[run.id] = true;
    else if (finishedRuns[run.id]) return;
    upsertRun(run);
    updateJob(run);
    updateDetail(run);
  }

  document.querySelectorAll('form.run-now').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var button = form.querySelector('button');
      var errorBox = document.getElementById('run-now-error');
      button.disabled = true;
      fetch('/api/v1/jobs/' + encodeURIComponent(form.dataset.job) + '/run', {
        method: 'POST', credentials: 'same-origin',
        headers: {'X-CSRF-Token': csrf, 'Accept': 'application/json'}
      }).then(function (response) {
        return response.json().then(function (body) { return {ok: response.ok, body: body}; });
      }).then(function (result) {
        if (result.ok) {
          errorBox.hidden = true;
          onRun({run: result.body});
        } else {
          errorBox.textContent = (result.body.error && result.body.error.message) || 'The job could not be started.';
          errorBox.hidden = false;
        }
      }).catch(function () {
        errorBox.textContent = 'The server could not be reached; try again.';
        errorBox.hidden = false;
      }).then(function () { button.disabled = false; });
    });
  });

  if (typeof LuminaSocket === 'function') {
    new LuminaSocket('/ws/notifications/', {
      onMessage: {job_started: onRun, job_progress: onRun, job_finished: onRun},
      onStatus: LuminaDOM.liveBadge(liveStatus)
    });
  }
})();
