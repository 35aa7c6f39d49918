/*
 * dataset.js — /datasets/<id>/: live status and cleaning progress (/ws/data-cleaning/<id>/), new
 * insights (/ws/insights/), the column profile with small Chart.js histograms, a paginated preview,
 * and the "Clean now" / "Find insights now" actions through the JSON API.
 */
(function () {
  'use strict';

  var detail = document.getElementById('dataset-detail');
  if (!detail) return;
  var id = detail.dataset.datasetId;
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';
  var PAGE = 50;
  var previewOffset = 0;
  var charts = [];

  var el = LuminaDOM.el;

  function api(method, path) {
    return fetch(path, {method: method, credentials: 'same-origin', headers: {'Accept': 'application/json', 'X-CSRF-Token': csrf}})
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) { return {ok: response.ok, status: response.status, body: body}; });
      });
  }

  function setStatus(status) {
    var badge = document.getElementById('dataset-status');
    badge.textContent = status;
    badge.className = 'status status-' + status;
    detail.dataset.status = status;
    var insightsButton = document.getElementById('find-insights');
    if (insightsButton) insightsButton.disabled = status !== 'cleaned';
  }

  function showError(message) {
    var box = document.getElementById('action-error');
    if (!box) return;
    box.textContent = message || '';
    box.hidden = !message;
  }

  function format(value) {
    if (value === null || value === undefined) return '';
    if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toPrecision(6).replace(/\.?0+$/, '');
    return String(value);
  }

  function loadDataset() {
    return api('GET', '/api/v1/datasets/' + id).then(function (result) {
      if (!result.ok) return;
      var d = result.body;
      setStatus(d.status);
      document.getElementById('dataset-rows').textContent = d.row_count;
      document.getElementById('dataset-columns').textContent = d.column_count;
      var schema = document.querySelector('#schema tbody');
      schema.textContent = '';
      d.columns.forEach(function (c, i) {
        schema.appendChild(el('tr', {}, [el('td', {}, [String(i)]), el('td', {}, [c.name]),
          el('td', {}, [el('span', {'class': 'badge'}, [c.type])]), el('td', {}, [c.nullable ? 'yes' : 'no'])]));
      });
      var report = document.getElementById('cleaning-report');
      if (d.cleaning_report) {
        report.textContent = '';
        var r = d.cleaning_report;
        report.appendChild(el('p', {'class': 'meta'}, [r.rows_before + ' → ' + r.rows_after + ' rows; ' + r.duplicates_removed + ' duplicate(s) removed.']));
        var body = el('tbody');
        (r.steps || []).forEach(function (step) {
          body.appendChild(el('tr', {}, [el('td', {}, [step.name]), el('td', {}, [step.changed + ' change(s)'])]));
        });
        report.appendChild(el('table', {'class': 'table'}, [body]));
      }
    });
  }

  function loadProfile() {
    return api('GET', '/api/v1/datasets/' + id + '/profile').then(function (result) {
      var box = document.getElementById('profile');
      charts.forEach(function (chart) { chart.destroy(); });
      charts = [];
      box.textContent = '';
      var profile = result.body;
      if (!result.ok || !profile || !profile.columns) {
        box.appendChild(el('p', {'class': 'empty'}, ['The profile is computed when the dataset is cleaned.']));
        return;
      }
      profile.columns.forEach(function (c) {
        var facts = el('dl', {}, []);
        function fact(name, value) {
          if (value === null || value === undefined) return;
          facts.appendChild(el('dt', {}, [name]));
          facts.appendChild(el('dd', {}, [format(value)]));
        }
        fact('type', c.type); fact('nulls', c.nulls); fact('distinct', c.distinct);
        fact('min', c.min); fact('max', c.max); fact('mean', c.mean); fact('median', c.median); fact('std', c.std);
        var card = el('div', {'class': 'profile-card'}, [el('h3', {}, [c.name]), facts]);
        if (c.histogram && typeof Chart === 'function') {
          var canvas = el('canvas', {height: '90', 'aria-label': 'Histogram of ' + c.name});
          card.appendChild(canvas);
          var labels = c.histogram.counts.map(function (_, i) { return format(c.histogram.edges[i]); });
          charts.push(new Chart(canvas, {type: 'bar', data: {labels: labels, datasets: [{data: c.histogram.counts, backgroundColor: '#4f6bed'}]},
            options: {animation: false, plugins: {legend: {display: false}}, scales: {x: {display: false}, y: {display: false}}}}));
        } else if (c.top_values && c.top_values.length) {
          card.appendChild(el('p', {'class': 'meta'}, ['Top: ' + c.top_values.slice(0, 3).map(function (v) { return v.value + ' (' + v.count + ')'; }).join(', ')]));
        }
        box.appendChild(card);
      });
    });
  }

  function loadPreview() {
    return api('GET', '/api/v1/datasets/' + id + '/rows?offset=' + previewOffset + '&limit=' + PAGE).then(function (result) {
      if (!result.ok) return;
      var table = document.getElementById('preview');
      var head = table.tHead;
      head.textContent = '';
      head.appendChild(el('tr', {}, result.body.columns.map(function (name) { return el('th', {}, [name]); })));
      var body = table.tBodies[0];
      body.textContent = '';
      result.body.rows.forEach(function (row) {
        body.appendChild(el('tr', {}, row.map(function (value) { return el('td', {}, [format(value)]); })));
      });
      var total = result.body.total;
      var last = Math.min(previewOffset + PAGE, total);
      document.getElementById('preview-range').textContent = total === 0 ? 'no rows' : (previewOffset + 1) + '–' + last + ' of ' + total;
      document.getElementById('preview-prev').disabled = previewOffset === 0;
      document.getElementById('preview-next').disabled = last >= total;
    });
  }

  function renderInsights(insights) {
    var list = document.getElementById('insights');
    list.textContent = '';
    insights.forEach(function (insight) {
      list.appendChild(el('li', {'class': 'insight insight-' + insight.kind}, [el('strong', {}, [insight.title]),
        el('p', {}, [insight.description]), el('span', {'class': 'badge muted'}, [insight.kind + ' · ' + insight.score.toFixed(2)])]));
    });
    document.getElementById('insight-count').textContent = String(insights.length);
    var empty = document.getElementById('no-insights');
    if (empty) empty.hidden = insights.length > 0;
  }

  document.getElementById('preview-prev').addEventListener('click', function () { previewOffset = Math.max(0, previewOffset - PAGE); loadPreview(); });
  document.getElementById('preview-next').addEventListener('click', function () { previewOffset += PAGE; loadPreview(); });

  var cleanButton = document.getElementById('clean-now');
  if (cleanButton) cleanButton.addEventListener('click', function () {
    showError('');
    api('POST', '/api/v1/datasets/' + id + '/clean').then(function (result) {
      if (!result.ok) showError(result.body.error ? result.body.error.message : 'Cleaning could not start.');
    });
  });
  var insightsButton = document.getElementById('find-insights');
  if (insightsButton) insightsButton.addEventListener('click', function () {
    showError('');
    api('POST', '/api/v1/datasets/' + id + '/insights').then(function (result) {
      if (!result.ok) showError(result.body.error ? result.body.error.message : 'Insights could not start.');
    });
  });
  var deleteForm = document.getElementById('delete-form');
  if (deleteForm) deleteForm.addEventListener('submit', function (event) {
    if (!window.confirm('Delete this dataset, its rows and its insights?')) event.preventDefault();
  });

  var progress = document.getElementById('cleaning-progress');
  var step = document.getElementById('cleaning-step');
  new LuminaSocket('/ws/data-cleaning/' + id + '/', {
    onMessage: {
      cleaning_progress: function (msg) {
        if (msg.status === 'running') {
          setStatus('cleaning');
          progress.hidden = false;
          progress.value = msg.progress;
          step.textContent = msg.step + ' ' + msg.progress + '%';
        } else if (msg.status === 'completed') {
          progress.value = 100;
          progress.hidden = true;
          step.textContent = '';
          loadDataset(); loadProfile(); loadPreview();
        } else if (msg.status === 'failed') {
          progress.hidden = true;
          setStatus('failed');
          step.textContent = 'Cleaning failed: ' + (msg.error || '');
        }
      }
    },
    onStatus: LuminaDOM.liveBadge(document.getElementById('live-status'))
  });
  new LuminaSocket('/ws/insights/', {
    onMessage: {
      insights_generated: function (msg) { if (String(msg.dataset_id) === String(id)) renderInsights(msg.insights); }
    }
  });

  loadProfile();
  loadPreview();
})();
