// Cairn dashboard: polls the node's REST API every second and draws tables and charts.
// Plain JS, no dependencies. Every value from the API is put into the page as text
// (textContent), never as HTML, so a volume name cannot inject markup.
'use strict';

(function () {
  const REFRESH_MILLIS = 1000;
  const HISTORY_POINTS = 120;
  const TOKEN_KEY = 'cairn.api.token';
  const ENGINE_COLOURS = ['#d9480f', '#1c7ed6', '#2b8a3e', '#ae3ec9', '#f08c00'];

  const history = { cores: [], throughput: [] };
  let waitingForToken = false;

  // ---- API -----------------------------------------------------------------------------------

  class Unauthorized extends Error {}

  async function api(path) {
    const headers = { Accept: 'application/json' };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) {
      headers.Authorization = 'Bearer ' + token;
    }
    const response = await fetch('/api/v1/' + path, { headers, cache: 'no-store' });
    if (response.status === 401) {
      throw new Unauthorized((await response.json()).error);
    }
    if (!response.ok) {
      throw new Error(path + ': ' + response.status);
    }
    return response.json();
  }

  // ---- Formatting ----------------------------------------------------------------------------

  function bytes(n) {
    if (n === null || n === undefined) return '–';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
    let v = n;
    let u = 0;
    while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
    return (u === 0 ? v.toFixed(0) : v.toFixed(v >= 100 ? 0 : 1)) + ' ' + units[u];
  }
  const perSecond = n => bytes(n) + '/s';
  const rate = n => n >= 100 ? n.toFixed(0) : n.toFixed(1);
  const millis = n => n === null || n === undefined ? '–' : n.toFixed(n >= 10 ? 0 : 2) + ' ms';
  const ratio = n => n.toFixed(2) + '×';
  const cores = n => n.toFixed(2);

  function el(tag, text, className) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (className) e.className = className;
    return e;
  }

  function setText(id, text) {
    document.getElementById(id).textContent = text;
  }

  function bar(fraction) {
    const outer = el('span', undefined, 'bar');
    const inner = el('span');
    inner.style.width = Math.max(0, Math.min(100, fraction * 100)).toFixed(1) + '%';
    outer.appendChild(inner);
    return outer;
  }

  /** Replaces a table body's rows; each row is [key, [cells...]] with cells as text or nodes. */
  function fillTable(id, rows, keyAttribute) {
    const body = document.querySelector('#' + id + ' tbody');
    body.replaceChildren(...rows.map(([key, cells]) => {
      const tr = document.createElement('tr');
      tr.dataset[keyAttribute] = key;
      for (const [field, value, className] of cells) {
        const td = el('td', typeof value === 'string' ? value : undefined, className);
        if (typeof value !== 'string') td.appendChild(value);
        td.dataset.field = field;
        tr.appendChild(td);
      }
      return tr;
    }));
  }

  // ---- Rendering -----------------------------------------------------------------------------

  function renderStatus(s) {
    setText('node-name', s.node);
    const ready = document.getElementById('ready');
    ready.textContent = s.ready ? 'ready' : 'not ready';
    ready.className = 'badge ' + (s.ready ? 'ok' : 'bad');
    setText('tolerance', s.cluster.summary);
    setText('members', String(s.cluster.members.length));
    setText('stores-count', s.stores.healthy + ' / ' + s.stores.count + ' ok');
    setText('stores-capacity', bytes(s.stores.capacityBytes));
    setText('stores-used', bytes(s.stores.usedBytes));
  }

  function renderStores(list) {
    fillTable('stores', list.stores.map(s => {
      const used = el('span');
      used.append(bar(s.capacityBytes ? s.usedBytes / s.capacityBytes : 0),
          bytes(s.usedBytes) + ' / ' + bytes(s.capacityBytes));
      return [s.id, [
        ['id', s.id], ['health', s.health, 'health-' + s.health], ['used', used],
        ['shards', String(s.shards)], ['readErrors', String(s.readErrors)],
        ['writeErrors', String(s.writeErrors)]]];
    }), 'store');
  }

  function renderVolumes(list) {
    document.getElementById('volumes-empty').hidden = list.volumes.length > 0;
    fillTable('volumes', list.volumes.map(v => [v.name, [
      ['name', v.name], ['size', bytes(v.sizeBytes)],
      ['policy', v.policy.ec + ' ' + v.policy.compression + (v.policy.dedup ? ' dedup' : '')
        + (v.policy.encryption ? ' aes' : '')],
      ['used', bytes(v.logicalBytes)], ['physical', bytes(v.physicalBytes)],
      ['dedup', ratio(v.dedupRatio)], ['compression', ratio(v.compressionRatio)],
      ['health', v.health, 'health-' + v.health],
      ['readIops', rate(v.io.readOpsPerSecond)], ['writeIops', rate(v.io.writeOpsPerSecond)],
      ['readRate', perSecond(v.io.readBytesPerSecond)],
      ['writeRate', perSecond(v.io.writeBytesPerSecond)],
      ['writeP99', millis(v.io.writeLatencyP99Millis)]]]), 'volume');
  }

  function renderDpu(d) {
    setText('cores-host', String(d.cores.hostCores));
    setText('cores-threads', String(d.cores.dpuThreads));
    setText('cores-dpu', cores(d.cores.dpuCores));
    setText('cores-app', cores(d.cores.applicationCores));
    setText('cores-idle', cores(d.cores.dpuCoresIdle));
    fillTable('engines', d.engines.map(e => [e.engine, [
      ['engine', e.engine], ['opsPerSecond', rate(e.opsPerSecond)],
      ['bytesIn', perSecond(e.bytesInPerSecond)], ['bytesOut', perSecond(e.bytesOutPerSecond)],
      ['p50', millis(e.latencyP50Millis)], ['p99', millis(e.latencyP99Millis)],
      ['p999', millis(e.latencyP999Millis)], ['queue', e.queueDepth + ' / ' + e.queueDepthMax],
      ['operations', String(e.operations)], ['failures', String(e.failures)],
      ['refusals', String(e.refusals)]]]), 'engine');

    push(history.cores, { dpu: d.cores.dpuCores, app: d.cores.applicationCores });
    const point = {};
    for (const e of d.engines) point[e.engine] = e.bytesInPerSecond;
    push(history.throughput, point);
    drawChart('chart-cores', history.cores,
        [['DPU tier', 'dpu', '#d9480f'], ['application', 'app', '#1c7ed6']], cores);
    drawChart('chart-throughput', history.throughput,
        d.engines.map((e, i) => [e.engine, e.engine, ENGINE_COLOURS[i % ENGINE_COLOURS.length]]),
        perSecond);
  }

  function renderMaintenance(m) {
    const box = document.getElementById('maintenance');
    box.replaceChildren(...['scrub', 'compaction'].map(kind => {
      const run = m[kind];
      const div = el('div', undefined, 'run');
      div.id = 'run-' + kind;
      div.appendChild(el('strong', kind + ' '));
      if (!run) {
        div.appendChild(el('span', 'not run since start', 'muted'));
        return div;
      }
      div.append(bar(run.progress), el('span', (run.progress * 100).toFixed(0) + '% · '
          + run.state + ' · ' + run.done + '/' + run.total + ' · found ' + run.found
          + ', repaired ' + run.repaired + (run.error ? ' · ' + run.error : '')));
      return div;
    }));
  }

  function push(series, point) {
    series.push(point);
    if (series.length > HISTORY_POINTS) series.shift();
  }

  /** A line chart of the last HISTORY_POINTS samples; lines = [[label, key, colour]...]. */
  function drawChart(id, series, lines, format) {
    const canvas = document.getElementById(id);
    const ratioPx = window.devicePixelRatio || 1;
    const w = canvas.clientWidth || canvas.width;
    const h = canvas.clientHeight || canvas.height;
    if (canvas.width !== w * ratioPx) {
      canvas.width = w * ratioPx;
      canvas.height = h * ratioPx;
    }
    const g = canvas.getContext('2d');
    g.setTransform(ratioPx, 0, 0, ratioPx, 0, 0);
    g.clearRect(0, 0, w, h);
    const left = 70, right = 10, top = 22, bottom = 10;
    let max = 0;
    for (const p of series) for (const [, key] of lines) max = Math.max(max, p[key] || 0);
    max = max > 0 ? max * 1.1 : 1;
    g.strokeStyle = '#dde1e8';
    g.fillStyle = '#6b7385';
    g.font = '11px system-ui, sans-serif';
    for (let i = 0; i <= 4; i++) {
      const y = top + (h - top - bottom) * i / 4;
      g.beginPath(); g.moveTo(left, y); g.lineTo(w - right, y); g.stroke();
      g.fillText(format(max * (4 - i) / 4), 4, y + 4);
    }
    const step = (w - left - right) / (HISTORY_POINTS - 1);
    const x0 = w - right - (series.length - 1) * step;
    let legendX = left;
    for (const [label, key, colour] of lines) {
      g.strokeStyle = colour;
      g.lineWidth = 1.5;
      g.beginPath();
      series.forEach((p, i) => {
        const x = x0 + i * step;
        const y = top + (h - top - bottom) * (1 - (p[key] || 0) / max);
        if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
      });
      g.stroke();
      g.fillStyle = colour;
      g.fillRect(legendX, 6, 10, 10);
      g.fillText(label, legendX + 14, 15);
      legendX += g.measureText(label).width + 30;
    }
  }

  // ---- Polling and the token -----------------------------------------------------------------

  async function refresh() {
    if (waitingForToken) return;
    try {
      const [status, stores, volumes, dpu, maintenance] = await Promise.all(
          ['status', 'stores', 'volumes', 'dpu', 'maintenance'].map(api));
      renderStatus(status);
      renderStores(stores);
      renderVolumes(volumes);
      renderDpu(dpu);
      renderMaintenance(maintenance);
      setText('updated', 'updated ' + new Date().toLocaleTimeString());
    } catch (e) {
      if (e instanceof Unauthorized) {
        askForToken(sessionStorage.getItem(TOKEN_KEY) ? 'That token was not accepted.' : null);
      } else {
        setText('updated', 'cannot reach the node: ' + e.message);
      }
    }
  }

  function askForToken(problem) {
    waitingForToken = true;
    sessionStorage.removeItem(TOKEN_KEY);
    document.getElementById('token-panel').hidden = false;
    if (problem) setText('token-message', problem + ' Enter the node\'s API token.');
    document.getElementById('token').focus();
  }

  document.getElementById('token-form').addEventListener('submit', event => {
    event.preventDefault();
    const input = document.getElementById('token');
    sessionStorage.setItem(TOKEN_KEY, input.value.trim());
    input.value = '';
    document.getElementById('token-panel').hidden = true;
    waitingForToken = false;
    refresh();
  });

  async function loop() {
    await refresh();
    setTimeout(loop, REFRESH_MILLIS);
  }
  loop();
})();
