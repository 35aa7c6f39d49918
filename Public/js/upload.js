/*
 * upload.js — /datasets/upload/: choose or drop a CSV, stream it over /ws/upload/<id>/ in 1 MiB
 * binary chunks, and show the server's progress events; then follow cleaning on
 * /ws/data-cleaning/<dataset>/ until the dataset is ready.
 *
 * The bar moves on the server's `upload_progress` events (what it has stored), not on what the
 * browser has sent. After a dropped connection LuminaSocket reconnects, the server answers with
 * `upload_resume` and its offset, and sending continues from there: nothing is sent twice.
 */
(function () {
  'use strict';

  var CHUNK = 1024 * 1024;
  var HIGH_WATER = 4 * CHUNK;
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';
  var form = document.getElementById('upload-form');
  var input = document.getElementById('upload-file');
  var zone = document.getElementById('drop-zone');
  var panel = document.getElementById('upload-panel');
  var bar = document.getElementById('upload-progress');
  var errorBox = document.getElementById('upload-error');
  var chosen = null;
  var currentDataset = null;

  // Subscribed before any upload starts, so the first insights of the new dataset are never missed.
  var insightsSocket = typeof LuminaSocket === 'function' ? new LuminaSocket('/ws/insights/', {
    onMessage: {
      insights_generated: function (msg) {
        if (currentDataset === null || String(msg.dataset_id) !== String(currentDataset)) return;
        var list = document.getElementById('upload-insights');
        list.textContent = '';
        msg.insights.forEach(function (insight) {
          var item = document.createElement('li');
          item.className = 'insight insight-' + insight.kind;
          var title = document.createElement('strong');
          title.textContent = insight.title;
          var body = document.createElement('p');
          body.textContent = insight.description;
          item.appendChild(title);
          item.appendChild(body);
          list.appendChild(item);
        });
        document.getElementById('upload-insights-box').hidden = false;
      }
    }
  }) : null;

  function text(id, value) { document.getElementById(id).textContent = value; }

  function human(bytes) {
    var units = ['B', 'KiB', 'MiB', 'GiB'];
    var i = 0;
    while (bytes >= 1024 && i < units.length - 1) { bytes /= 1024; i++; }
    return (i === 0 ? bytes : bytes.toFixed(1)) + ' ' + units[i];
  }

  function fail(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    document.getElementById('upload-start').disabled = false;
  }

  zone.addEventListener('dragover', function (event) { event.preventDefault(); zone.classList.add('dragging'); });
  zone.addEventListener('dragleave', function () { zone.classList.remove('dragging'); });
  zone.addEventListener('drop', function (event) {
    event.preventDefault();
    zone.classList.remove('dragging');
    if (event.dataTransfer.files.length) { chosen = event.dataTransfer.files[0]; text('upload-name', chosen.name); panel.hidden = false; }
  });
  input.addEventListener('change', function () { chosen = input.files[0] || null; });

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var file = chosen || input.files[0];
    if (!file) { fail('Choose a CSV file first.'); return; }
    errorBox.hidden = true;
    document.getElementById('upload-start').disabled = true;
    fetch('/api/v1/uploads', {
      method: 'POST', credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf, 'Accept': 'application/json'},
      body: JSON.stringify({filename: file.name, size: file.size})
    }).then(function (response) {
      return response.json().then(function (body) { return {ok: response.ok, body: body}; });
    }).then(function (result) {
      if (!result.ok) { fail((result.body.error && result.body.error.message) || 'The upload could not be created.'); return; }
      send(file, result.body);
    }).catch(function () { fail('The server could not be reached; try again.'); });
  });

  function send(file, created) {
    panel.hidden = false;
    text('upload-name', file.name);
    var offset = 0;
    var sending = false;
    var started = Date.now();
    var startOffset = 0;
    var done = false;

    var socket = new LuminaSocket(created.ws_url, {
      onMessage: {
        upload_resume: function (msg) {
          offset = msg.offset;
          startOffset = msg.offset;
          started = Date.now();
          pump();
        },
        upload_progress: function (msg) {
          bar.value = msg.progress;
          text('upload-percent', msg.progress + '%');
          text('upload-bytes', human(msg.bytes) + ' of ' + human(msg.total));
          var seconds = (Date.now() - started) / 1000;
          if (seconds > 0.2) text('upload-speed', human((msg.bytes - startOffset) / seconds) + '/s');
          if (msg.progress === 100) text('upload-stage', 'Received. Reading and storing the rows…');
        },
        ingest_progress: function (msg) {
          text('upload-stage', (msg.stage === 'reading' ? 'Reading' : 'Storing rows') + '… ' + msg.progress + '%');
        },
        upload_complete: function (msg) {
          done = true;
          currentDataset = msg.dataset_id;
          socket.close();
          text('upload-stage', 'Stored as a dataset. Cleaning…');
          var link = document.getElementById('upload-result');
          link.hidden = false;
          link.innerHTML = '';
          var a = document.createElement('a');
          a.href = '/datasets/' + msg.dataset_id + '/';
          a.id = 'dataset-link';
          a.textContent = 'Open the dataset';
          link.appendChild(a);
          followCleaning(msg.dataset_id);
        },
        error: function (msg) {
          done = true;
          socket.close();
          fail(msg.message || 'The upload failed.');
        }
      },
      onStatus: function (status) {
        if (!done && status === 'reconnecting') text('upload-stage', 'Connection lost; resuming…');
      }
    });

    // Sends chunks while the socket's buffer is below the high-water mark, then waits for it to drain.
    function pump() {
      if (sending || done) return;
      sending = true;
      (function next() {
        if (done || offset >= file.size) { sending = false; return; }
        if (socket.bufferedAmount() > HIGH_WATER) { setTimeout(next, 20); return; }
        var end = Math.min(offset + CHUNK, file.size);
        file.slice(offset, end).arrayBuffer().then(function (chunk) {
          if (!socket.sendBinary(chunk)) { sending = false; return; }  // reconnect → upload_resume
          offset = end;
          next();
        });
      })();
    }
  }

  function followCleaning(datasetID) {
    var cleaning = document.getElementById('cleaning-progress');
    var socket = new LuminaSocket('/ws/data-cleaning/' + datasetID + '/', {
      onMessage: {
        cleaning_progress: function (msg) {
          cleaning.hidden = false;
          cleaning.value = msg.progress;
          if (msg.status === 'running') text('upload-stage', msg.step + ' ' + msg.progress + '%');
          if (msg.status === 'completed') { text('upload-stage', 'Cleaned: ' + msg.rows_after + ' rows.'); socket.close(); }
          if (msg.status === 'failed') { text('upload-stage', 'Cleaning failed: ' + (msg.error || '')); socket.close(); }
        }
      }
    });
  }
})();
