// A station's screen: what the station waits for, in large type, the task's lines, the live weight, the
// label once printed, and every refusal in red with its own sound. It follows the station's event stream;
// the scanner drives it, the buttons are for the few steps a scan cannot say.
'use strict';

(() => {
  const { el, fill, text, post, follow, live } = packd;
  const station = decodeURIComponent(location.pathname.split('/')[2] || '');
  let lastReply = null;
  let audio = null;

  /** Web Audio: a short rising pair for accepted, a low buzz for refused. Nothing to install. */
  function beep(ok) {
    try {
      audio = audio || new AudioContext();
      const now = audio.currentTime;
      const notes = ok ? [[880, 0, 0.08], [1320, 0.09, 0.1]] : [[180, 0, 0.35]];
      for (const [freq, start, length] of notes) {
        const osc = audio.createOscillator();
        const gain = audio.createGain();
        osc.type = ok ? 'sine' : 'square';
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0.25, now + start);
        gain.gain.exponentialRampToValueAtTime(0.001, now + start + length);
        osc.connect(gain).connect(audio.destination);
        osc.start(now + start);
        osc.stop(now + start + length + 0.02);
      }
    } catch (e) {
      // No audio device: the colours still say it.
    }
  }

  const BUTTONS = {
    pack: [['UNDO', 'Undo'], ['REPRINT', 'Reprint label'], ['CANCEL', 'Skip order']],
    pick: [['SHORT', 'Short pick'], ['UNDO', 'Undo'], ['CANCEL', 'Cancel wave']],
    receive: [['UNDO', 'Undo'], ['DONE', 'Done'], ['CANCEL', 'Cancel']],
    putaway: [['UNDO', 'Undo'], ['DONE', 'Done'], ['CANCEL', 'Cancel']],
    count: [['UNDO', 'Undo'], ['DONE', 'Done'], ['CANCEL', 'Cancel']],
    returns: [['UNDO', 'Undo'], ['DONE', 'Done'], ['CANCEL', 'Cancel']],
  };

  function buttons(mode) {
    fill('buttons', (BUTTONS[mode] || []).map(([word, label]) =>
      el('button', {
        class: 'touch', type: 'button', dataset: { word },
        onclick: async () => {
          const answer = await post('/api/stations/' + encodeURIComponent(station) + '/command', { word });
          if (!answer.ok) showMessage(false, answer.error || 'refused');
        },
      }, label)));
  }

  function showMessage(ok, message, next) {
    const box = document.getElementById('message');
    box.className = 'message ' + (ok ? 'ok' : 'error');
    fill('message', el('span', { class: 'message-text' }, message || ''), next ? el('span', { class: 'message-next' }, next) : null);
  }

  function grams(g) {
    return g >= 1000 ? (g / 1000).toFixed(3) + ' kg' : g + ' g';
  }

  function showWeight(s) {
    const box = document.getElementById('weight-box');
    const scale = s.scale;
    box.hidden = !scale;
    if (!scale) return;
    const expected = s.expected_weight;
    let state = 'no reading';
    let cls = 'unstable';
    if (!scale.valid) {
      state = scale.reason || 'no reading';
      cls = 'invalid';
    } else if (scale.stable) {
      state = 'stable';
      cls = 'stable';
    } else {
      state = 'unstable';
    }
    text('weight', scale.valid ? grams(scale.weight_g) : '—');
    const badge = document.getElementById('weight-state');
    badge.textContent = state;
    badge.className = 'weight-state ' + cls;
    let range = '';
    if (expected) {
      range = 'expected ' + grams(expected.min_g) + ' – ' + grams(expected.max_g);
      if (scale.valid && scale.stable) {
        const inRange = scale.weight_g >= expected.min_g && scale.weight_g <= expected.max_g;
        box.dataset.fit = inRange ? 'in' : 'out';
      } else {
        delete box.dataset.fit;
      }
    } else {
      delete box.dataset.fit;
    }
    text('weight-range', range);
  }

  function lineRows(s) {
    if (s.mode === 'pack') {
      return (s.progress || []).map((p) => el('tr', { class: p.packed >= p.wanted ? 'done' : 'open' },
        el('td', {}, p.sku), el('td', {}, p.packed), el('td', {}, p.wanted), el('td', {}, '')));
    }
    if (s.mode === 'pick' && Array.isArray(s.walk)) {
      if (s.walk.length === 0 && Array.isArray(s.totes)) {
        return s.totes.map((t) => el('tr', { class: 'open' },
          el('td', {}, 'order ' + t.order_id), el('td', {}, ''), el('td', {}, ''), el('td', {}, t.tote)));
      }
      return s.walk.map((w) => el('tr', { class: w.state === 'open' ? 'open' : 'done', dataset: { state: w.state } },
        el('td', {}, w.sku), el('td', {}, w.picked), el('td', {}, w.wanted),
        el('td', {}, [w.location, w.tote, w.lot, w.expiry].filter(Boolean).join(' · '))));
    }
    return (s.lines || []).map((l) => el('tr', {},
      el('td', {}, l.sku), el('td', {}, l.quantity), el('td', {}, l.expected ?? ''),
      el('td', {}, [l.lot, l.expiry, l.condition].filter(Boolean).join(' · '))));
  }

  function showDevices(s) {
    const parts = [];
    const d = s.devices || {};
    for (const role of ['printer', 'scale', 'scanner']) {
      if (!d[role]) continue;
      const ok = d[role].state === 'ready';
      parts.push(el('span', { class: 'device ' + (ok ? 'ready' : 'fault'), dataset: { role } },
        role + ' ' + d[role].name + ': ' + (ok ? 'ready' : d[role].detail || d[role].state)));
    }
    if (!s.broker_connected) parts.push(el('span', { class: 'device fault', dataset: { role: 'broker' } }, 'shop link offline'));
    fill('devices', parts);
    const printer = d.printer;
    document.body.classList.toggle('printer-fault', !!printer && printer.state === 'fault');
  }

  function show(s) {
    text('station-name', s.station);
    text('mode', s.mode);
    text('operator', s.operator ? 'operator ' + s.operator : '');
    buttons(s.mode);
    const order = s.order;
    if (s.mode === 'pack') {
      text('task', order ? 'Order ' + order.id : 'No order open');
      text('customer', order ? order.ship_to_name : '');
    } else {
      text('task', s.task ? s.task : s.step || '');
      text('customer', '');
    }
    const last = s.last;
    const nextStep = s.next || (last && last.next) || '';
    text('next', nextStep || (s.mode === 'pack' && !order ? 'Scan an order' : ''));
    fill('line-rows', lineRows(s));
    const open = (s.progress || []).reduce((n, p) => n + Math.max(0, p.wanted - p.packed), 0);
    text('progress', s.mode === 'pack' && order ? (open === 0 ? 'all items in' : open + ' left') : '');
    showWeight(s);
    showDevices(s);
    const label = s.label;
    const img = document.getElementById('label-preview');
    document.getElementById('label-box').hidden = !label;
    if (label) {
      const src = '/api/labels/' + label.job + '.png';
      if (label.state === 'done' && img.dataset.src !== src) {
        img.dataset.src = src;
        img.src = src;
      }
      text('label-state', label.state === 'done' ? 'label printed on ' + label.printer : 'label ' + label.state);
    }
    // A device that needs the packer (paper out, head open, unplugged) has a bar of its own above the
    // latest reply, so neither hides the other.
    const printer = (s.devices || {}).printer;
    const scaleDevice = (s.devices || {}).scale;
    const alerts = [];
    if (printer && printer.state === 'fault') alerts.push('Printer ' + printer.name + ': ' + (printer.detail || printer.state) + ' (the label waits)');
    if (scaleDevice && scaleDevice.state !== 'ready') alerts.push('Scale ' + scaleDevice.name + ': ' + (scaleDevice.detail || scaleDevice.state));
    fill('alert', alerts.map((a) => el('div', {}, a)));
    if (last) showMessage(last.ok, last.message, last.ok ? '' : 'nothing changed');
    if (lastReply !== null && s.reply_number > lastReply && last) beep(last.ok);
    lastReply = s.reply_number;
    document.body.dataset.updated = String(s.sequence);
    window.dispatchEvent(new CustomEvent('packd:station', { detail: s.sequence }));
  }

  buttons('pack');
  follow('/events/station/' + encodeURIComponent(station), { station: show }, live);
})();
