/*
 * datasets.js — /datasets/: status badges and counts follow `cleaning_progress`, and new datasets
 * appear (`dataset_created`), over /ws/notifications/ (the owner's and administrators' group).
 */
(function () {
  'use strict';

  var list = document.getElementById('dataset-list');
  if (!list) return;

  var el = LuminaDOM.el;

  function badge(status, label) {
    return el('span', {'class': 'status status-' + status}, [label || status]);
  }

  function row(id) { return list.querySelector('tr[data-dataset-id="' + id + '"]'); }

  function refresh(id) {
    fetch('/api/v1/datasets/' + id, {credentials: 'same-origin', headers: {'Accept': 'application/json'}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (d) {
        if (!d) return;
        var tr = row(d.id);
        if (!tr) {
          tr = el('tr', {'data-dataset-id': String(d.id)}, [
            el('td', {}, [el('a', {href: '/datasets/' + d.id + '/'}, [d.name])]), el('td', {'class': 'dataset-status'}),
            el('td', {'class': 'dataset-rows'}), el('td', {'class': 'dataset-columns'}), el('td', {}, [d.created_at.slice(0, 16).replace('T', ' ') + ' UTC'])
          ]);
          list.tBodies[0].insertBefore(tr, list.tBodies[0].firstChild);
          var empty = document.getElementById('no-datasets');
          if (empty) empty.hidden = true;
          var count = document.getElementById('dataset-count');
          count.textContent = String(Number(count.textContent || 0) + 1);
        }
        var cell = tr.querySelector('.dataset-status');
        cell.textContent = '';
        cell.appendChild(badge(d.status));
        tr.querySelector('.dataset-rows').textContent = d.row_count;
        tr.querySelector('.dataset-columns').textContent = d.column_count;
      });
  }

  new LuminaSocket('/ws/notifications/', {
    onMessage: {
      dataset_created: function (msg) { refresh(msg.dataset_id); },
      cleaning_progress: function (msg) {
        var tr = row(msg.dataset_id);
        if (!tr) { refresh(msg.dataset_id); return; }
        if (msg.status === 'running') {
          var cell = tr.querySelector('.dataset-status');
          cell.textContent = '';
          cell.appendChild(badge('cleaning', 'cleaning ' + msg.progress + '%'));
        } else {
          refresh(msg.dataset_id);
        }
      }
    },
    onStatus: LuminaDOM.liveBadge(document.getElementById('live-status'))
  });
})();
