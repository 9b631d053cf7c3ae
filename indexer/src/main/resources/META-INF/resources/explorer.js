// The Credence explorer: a small page over the indexer's /v1 API. Routes live in the URL's hash:
// #/request/1, #/requests/<cursor> (latest first), #/account/0x…, #/model/1, #/dataset/0x…,
// #/worker/0x…, #/dispute/1. No framework, no
// build step.
'use strict';

const view = document.getElementById('view');
const WEI_PER_ETH = 10n ** 18n;

function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

/** wei (decimal string) as ETH with up to 6 decimals, as text. */
function ethText(wei) {
  const w = BigInt(wei);
  const whole = w / WEI_PER_ETH;
  const frac = (w % WEI_PER_ETH).toString().padStart(18, '0').slice(0, 6).replace(/0+$/, '');
  return `${whole}${frac ? '.' + frac : ''} ETH`;
}

/** wei (decimal string) as ETH with up to 6 decimals, and the exact wei in a tooltip. */
function eth(wei) {
  return `<span title="${esc(wei)} wei">${ethText(wei)}</span>`;
}

/** Unix seconds as a UTC date-time; the raw value stays in the tooltip. */
function utc(seconds) {
  if (seconds == null) return '';
  const d = new Date(Number(seconds) * 1000);
  const text = isNaN(d) ? String(seconds) : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  return `<time class="utc" datetime="${esc(isNaN(d) ? '' : d.toISOString())}" title="${esc(seconds)} (unix seconds)">${esc(text)}</time>`;
}

/**
 * An input or output as the API decoded it: each tensor's name, dtype and shape, and its values,
 * labelled where the model's card names them (Iris-setosa 0.991); the raw hex folded away below.
 */
function payload(decoded, hex, id) {
  let out = '';
  if (decoded && decoded.tensors) {
    out = `<div id="${id}" class="tensors">` + decoded.tensors.map(t =>
      `<div class="tensor"><code>${esc(t.name)} ${esc(t.dtype)}[${t.shape.map(esc).join(', ')}]</code> ${esc(t.text)}</div>`).join('') + '</div>';
  } else if (decoded && decoded.error) {
    out = `<div id="${id}" class="muted">${esc(decoded.error)}</div>`;
  }
  return out + `<details><summary>raw bytes</summary><code>${esc(hex)}</code></details>`;
}

const link = {
  request: id => `<a href="#/request/${id}">${id}</a>`,
  account: a => `<a class="mono" href="#/account/${esc(a)}">${esc(a)}</a>`,
  model: id => `<a href="#/model/${id}">model ${id}</a>`,
  dataset: h => `<a class="mono" href="#/dataset/${esc(h)}">${esc(h)}</a>`,
  worker: a => `<a class="mono" href="#/worker/${esc(a)}">${esc(a)}</a>`,
  dispute: id => `<a href="#/dispute/${id}">dispute ${id}</a>`,
};

/** A dispute's state as a badge. */
function disputeState(s) {
  return `<span class="state ${esc(s)}">${esc(s.toLowerCase().replace('_', ' '))}</span>`;
}

async function api(path) {
  const r = await fetch('v1/' + path);
  const body = await r.json().catch(() => ({ error: r.statusText }));
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}

function rows(pairs) {
  return '<table>' + pairs.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`).join('') + '</table>';
}

function table(headers, items) {
  return '<table><tr>' + headers.map(h => `<th>${esc(h)}</th>`).join('') + '</tr>' +
    items.map(cells => '<tr>' + cells.map(c => `<td>${c}</td>`).join('') + '</tr>').join('') + '</table>';
}

/**
 * The fee split as a picture: the fee on the left flows into one band per recipient (protocol,
 * each worker, each parent model, each contributor), each band as tall as its share.
 */
function splitPicture(split) {
  const parts = [{ label: 'protocol', amount: split.protocol }]
    .concat(split.workers.map(w => ({ label: 'worker ' + w.operator.slice(0, 10) + '…', amount: w.amount })))
    .concat(split.parents.map(p => ({ label: 'parent model ' + p.modelId, amount: p.amount })))
    .concat(split.contributors.map(c => ({ label: c.role + ' ' + c.account.slice(0, 10) + '…', amount: c.amount })));
  const fee = Number(BigInt(split.fee));
  const height = 260, left = 150, right = 470, width = 1000, gap = 6;
  const usable = height - gap * (parts.length - 1);
  let y = 0, feeY = 0;
  let out = `<svg class="split" role="img" aria-label="fee split" viewBox="0 0 ${width} ${height + 20}" width="${width}" height="${height + 20}">`;
  out += `<rect x="10" y="0" width="120" height="${height}" fill="#17324d"/>`;
  out += `<text x="20" y="${height / 2}" fill="#fff" style="fill:#fff">fee ${eth(split.fee).replace(/<[^>]+>/g, '')}</text>`;
  const colors = ['#8e44ad', '#2e86c1', '#4cb5ae', '#d68910', '#27ae60', '#c0392b', '#7f8c8d'];
  parts.forEach((p, i) => {
    const share = fee === 0 ? 0 : Number(BigInt(p.amount)) / fee;
    const hFee = height * share, hRight = Math.max(2, usable * share);
    const color = colors[i % colors.length];
    out += `<path class="flow" data-label="${esc(p.label)}" d="M130 ${feeY} C ${left + 150} ${feeY}, ${right - 150} ${y}, ${right} ${y}` +
      ` L ${right} ${y + hRight} C ${right - 150} ${y + hRight}, ${left + 150} ${feeY + hFee}, 130 ${feeY + hFee} Z" fill="${color}" opacity="0.55"/>`;
    out += `<rect x="${right}" y="${y}" width="14" height="${hRight}" fill="${color}"/>`;
    out += `<text x="${right + 20}" y="${y + hRight / 2 + 4}">${esc(p.label)}: ${esc((share * 100).toFixed(2))} % (${esc(p.amount)} wei)</text>`;
    feeY += hFee;
    y += hRight + gap;
  });
  return out + '</svg>';
}

/** A model's lineage edges: the model at the other end, how it was derived, its share, what flowed. */
function lineage(edges) {
  return edges.map(e => `${link.model(e.modelId)} (${esc(e.kind)}, ${(e.shareBps / 100).toFixed(2)} %, paid ${eth(e.paid)})`)
    .join('<br>') || 'none';
}

/** A page of requests, latest first, and the link to the older ones. */
function latest(page) {
  return table(['request', 'model', 'requester', 'fee', 'state'], page.items.map(r =>
    [link.request(r.requestId), link.model(r.modelId), link.account(r.requester), eth(r.fee), `<span class="state ${esc(r.state)}">${esc(r.state)}</span>`])) +
    (page.next ? `<p><a id="older" href="#/requests/${esc(page.next)}">older requests →</a></p>` : '');
}

/**
 * Model `m`'s lineage as a picture: its ancestors above it and its descendants below, a generation
 * a row, each edge labelled with how the child was derived, the parent's share of the child's pool
 * and the wei paid along it so far. Walks the API a model at a time (at most 8 generations each
 * way, 60 models).
 */
async function lineageGraph(m) {
  const self = m.model.modelId;
  const views = new Map([[self, m]]);
  const view = async id => views.get(id) || views.set(id, await api('models/' + id)).get(id);
  const level = new Map([[self, 0]]);
  const edges = new Map();
  const edge = (child, parent, e) => edges.set(child + '>' + parent, { child, parent, ...e });
  for (const [step, side, other] of [[-1, 'parents', 'up'], [1, 'children', 'down']]) {
    let frontier = [self];
    for (let g = step; frontier.length && Math.abs(g) <= 8 && views.size < 60; g += step) {
      const next = [];
      for (const id of frontier) {
        for (const e of (await view(id))[side]) {
          if (other === 'up') edge(id, e.modelId, e); else edge(e.modelId, id, e);
          if (!level.has(e.modelId)) { level.set(e.modelId, g); next.push(e.modelId); }
        }
      }
      frontier = next;
    }
  }
  if (!edges.size) return '';
  const rows = [...new Set(level.values())].sort((a, b) => a - b);
  const at = new Map();
  const boxW = 110, boxH = 32, colW = 230, rowH = 110, pad = 190; // labels reach past the boxes
  const widest = Math.max(...rows.map(r => [...level.values()].filter(l => l === r).length));
  const inner = widest * colW, width = inner + 2 * pad, height = rows.length * rowH;
  rows.forEach((r, y) => {
    const ids = [...level].filter(([, l]) => l === r).map(([id]) => id).sort((a, b) => a - b);
    ids.forEach((id, i) => at.set(id, { x: pad + (inner / ids.length) * (i + 0.5), y: y * rowH + 20 }));
  });
  let out = `<svg id="lineage" class="lineage" role="img" aria-label="model ${self}'s lineage" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">`;
  for (const e of edges.values()) {
    const c = at.get(e.child), p = at.get(e.parent);
    // the label a third of the way down from the parent, on the parent's side of the line, so
    // that edges meeting at one child keep their labels apart
    const lx = p.x + (c.x - p.x) / 3, ly = p.y + boxH + (c.y - p.y - boxH) / 3;
    const anchor = p.x < c.x ? 'end' : p.x > c.x ? 'start' : 'middle';
    const dx = anchor === 'end' ? -8 : anchor === 'start' ? 8 : 0;
    out += `<g class="edge" data-child="${e.child}" data-parent="${e.parent}">` +
      `<line x1="${c.x}" y1="${c.y}" x2="${p.x}" y2="${p.y + boxH}"/>` +
      `<text x="${lx + dx}" y="${ly + 4}" text-anchor="${anchor}">${esc(e.kind)} ${(e.shareBps / 100).toFixed(2)} % · ${esc(ethText(e.paid))}</text></g>`;
  }
  for (const [id, pos] of at) {
    out += `<a href="#/model/${id}"><g class="node${id === self ? ' self' : ''}" data-model="${id}">` +
      `<rect x="${pos.x - boxW / 2}" y="${pos.y}" width="${boxW}" height="${boxH}" rx="6"/>` +
      `<text x="${pos.x}" y="${pos.y + 21}" text-anchor="middle">model ${id}</text></g></a>`;
  }
  return out + '</svg>';
}

const pages = {
  async home() {
    const s = await api('stats');
    const recent = await api('requests?limit=10&order=newest');
    return `<h1>Network</h1>` +
      rows([
        ['models', s.models], ['datasets', s.datasets], ['workers', s.workers],
        ['requests', Object.entries(s.requests).map(([k, v]) => `${esc(k.toLowerCase())} ${v}`).join(' · ')],
        ['fees escrowed', eth(s.fees)], ['claimed', eth(s.claimed)], ['last block indexed', s.indexedBlock],
      ]) +
      `<h2>Latest requests</h2>` + latest(recent);
  },

  async requests(after) {
    const page = await api('requests?limit=20&order=newest' + (after ? '&after=' + encodeURIComponent(after) : ''));
    return `<h1>Requests before ${esc(after)}</h1>` + latest(page);
  },

  async request(id) {
    const r = await api('requests/' + encodeURIComponent(id));
    let html = `<h1>Request ${r.requestId} <span id="state" class="state ${esc(r.state)}">${esc(r.state)}</span></h1>` +
      rows([
        ['requester', link.account(r.requester)],
        ['model', `${link.model(r.model.modelId)} · <span class="mono">${esc(r.model.uri)}</span>`],
        ['model sha256', `<code id="model-hash">${esc(r.model.sha256)}</code>`],
        ['quorum', r.model.quorum],
        ['input hash', `<code>${esc(r.inputHash)}</code>`],
        r.input ? ['input', payload(r.decodedInput, r.input, 'input-tensors')] : null,
        ['fee', eth(r.fee)],
        ['gas allowance', `${eth(r.gasAllowance)} at up to ${esc(r.maxFeePerGas)} wei per gas`],
        ['deadline', utc(r.deadline)],
        ['requested in', `block ${r.block} · <code>${esc(r.tx)}</code>`],
      ].filter(Boolean));
    if (r.outcome) {
      const o = r.outcome;
      html += `<h2>Outcome</h2>` + rows([
        ['kind', esc(o.kind)],
        o.outputHash ? ['output hash', `<code id="output-hash">${esc(o.outputHash)}</code>`] : null,
        o.output ? ['output', payload(o.decodedOutput, o.output, 'output-tensors')] : null,
        o.reason != null ? ['failure reason', o.reason] : null,
        o.refund ? ['refund', eth(o.refund)] : null,
        o.gasCharged != null ? ['gas paid back to the sender', eth(o.gasCharged)] : null,
        o.gasReturned != null ? ['allowance returned', eth(o.gasReturned)] : null,
        ['settled in', `block ${o.block} · <code id="settlement-tx">${esc(o.tx)}</code>`],
      ].filter(Boolean));
    }
    if (r.signers.length) {
      html += `<h2>Signed by</h2>` + table(['worker key', 'operator', 'executed at', 'signature'],
        r.signers.map(s => [link.worker(s.signer), link.account(s.operator), utc(s.executedAt), `<code>${esc(s.signature ?? '')}</code>`]));
    }
    html += `<h2>Contributors</h2>` + table(['account', 'role', 'share', 'dataset'],
      r.contributors.map(c => [link.account(c.account), esc(c.role), (c.shareBps / 100).toFixed(2) + ' %',
        c.dataset ? `${link.dataset(c.dataset.sha256)}<br><span class="mono">${esc(c.dataset.uri)}</span>` : '']));
    if (r.split) {
      html += `<h2>Where the fee went</h2><div id="split">${splitPicture(r.split)}</div>` +
        table(['to', 'amount (wei)'], [['protocol', esc(r.split.protocol)]]
          .concat(r.split.workers.map(w => ['worker ' + link.account(w.operator), esc(w.amount)]))
          .concat(r.split.contributors.map(c => [esc(c.role) + ' ' + link.account(c.account), esc(c.amount)])));
    }
    if (r.accountability) {
      const acc = r.accountability;
      html += `<h2>Accountability</h2><p id="accountability">${esc(acc.summary)}</p>`;
      if (acc.disputes.length) {
        html += table(['dispute', 'kind', 'state', 'verdicts', 'agree / disagree', 'opened in'],
          acc.disputes.map(d => [link.dispute(d.disputeId), esc(d.kind), disputeState(d.state),
            `${d.votes} of ${d.jurySize}`, `${d.agreed} / ${d.disagreed}`, `block ${d.openedBlock}`]));
      }
    }
    if (r.notes.length) {
      html += `<h2>Notes</h2>` + table(['what', 'detail', 'block'], r.notes.map(n => [esc(n.kind), esc(n.detail), n.block]));
    }
    return html;
  },

  async account(address) {
    const a = await api('accounts/' + encodeURIComponent(address));
    const requests = await api('requests?limit=20&requester=' + encodeURIComponent(address));
    return `<h1>Account <span class="mono">${esc(a.address)}</span></h1>` +
      rows([
        ['claimable now', `<span id="claimable">${eth(a.claimable)}</span>`],
        ['claimed', eth(a.claimed)],
        ['balance in the vault', eth(a.balance)],
        ['deposited', eth(a.deposited)],
        ['escrowed by signed requests', eth(a.signedEscrow)],
        ['pending pool shares', a.pending.map(p => `${link.model(p.modelId)} (${esc(p.role)}) ${eth(p.amount)}`).join('<br>') || 'none'],
      ]) +
      `<h2>Earned by role</h2>` + table(['role', 'amount'], Object.entries(a.earned).map(([k, v]) => [esc(k), eth(v)])) +
      (a.bonds.challenges ? `<h2>Challenges</h2>` + rows([
        ['challenges', a.bonds.challenges], ['bonds posted', eth(a.bonds.posted)], ['still at stake', eth(a.bonds.open)],
        ['returned', eth(a.bonds.returned)], ['forfeited', eth(a.bonds.forfeited)], ['rewards for faults caught', eth(a.rewards.challenger)],
      ]) : '') +
      (requests.items.length ? `<h2>Requests made</h2>` + table(['request', 'model', 'fee', 'state'],
        requests.items.map(r => [link.request(r.requestId), link.model(r.modelId), eth(r.fee), esc(r.state)])) : '');
  },

  async model(id) {
    const m = await api('models/' + encodeURIComponent(id));
    return `<h1>Model ${m.model.modelId}${m.model.retired ? ' (retired)' : ''}</h1>` +
      rows([
        ['owner', link.account(m.model.owner)], ['sha256', `<code>${esc(m.model.sha256)}</code>`], ['uri', esc(m.model.uri)],
        ['fee', eth(m.model.fee)], ['quorum', m.model.quorum],
        ['version of', m.model.predecessor ? link.model(m.model.predecessor) : '—'],
        ['derived from', lineage(m.parents)],
        ['derived models', lineage(m.children)],
        ['requests', `${m.requests.total} (settled ${m.requests.settled}, failed ${m.requests.failed}, expired ${m.requests.expired}, pending ${m.requests.pending})`],
        ['fees of settled requests', eth(m.earnings.fees)],
        ['to protocol / workers / contributors', `${eth(m.earnings.protocol)} / ${eth(m.earnings.workers)} / ${eth(m.earnings.contributors)}`],
        ['contributors by role', Object.entries(m.earnings.byRole).map(([k, v]) => `${esc(k)} ${eth(v)}`).join(' · ')],
        ['pool pending distribution', eth(m.pendingPool)],
      ]) +
      (m.parents.length || m.children.length ? `<h2>Lineage</h2>` + await lineageGraph(m) : '') +
      `<h2>Contributors</h2>` + table(['account', 'role', 'share', 'dataset'],
        m.contributors.map(c => [link.account(c.account), esc(c.role), (c.shareBps / 100).toFixed(2) + ' %', c.dataset ? link.dataset(c.dataset) : '']));
  },

  async dataset(hash) {
    const d = await api('datasets/' + encodeURIComponent(hash));
    return `<h1>Dataset</h1>` + rows([
      ['sha256', `<code>${esc(d.dataset.sha256)}</code>`], ['provider', link.account(d.dataset.provider)], ['uri', esc(d.dataset.uri)],
      ['models trained on it', d.models.map(m => `${link.model(m.modelId)} (${(m.shareBps / 100).toFixed(2)} %)`).join(', ') || 'none'],
      ['provider earned from them', eth(d.providerEarnings)],
    ]);
  },

  async worker(signer) {
    const w = await api('workers/' + encodeURIComponent(signer));
    return `<h1>Worker <span class="mono">${esc(w.signer)}</span></h1>` + rows([
      ['operator', link.account(w.operator)], ['stake', eth(w.stake)], ['unbonding', eth(w.unbonding)],
      ['slashed', w.banned ? 'yes: never active again' : 'no'], ['receipts signed', w.receipts], ['failures signed', w.failures],
      ['earned', eth(w.earned)],
    ]) + `<h2>Record</h2>` + rows([
      ['answers disputed', `<span id="audited">${w.audited}</span>`],
      ['faults proven', `<span id="faults">${w.faults}</span>`],
      ['stake slashed', eth(w.slashed)],
      ['jury seats', w.jurySeats], ['verdicts given', w.verdictsGiven], ['juror pay', eth(w.jurorPay)],
    ]);
  },

  async dispute(id) {
    const d = await api('disputes/' + encodeURIComponent(id));
    let html = `<h1>Dispute ${d.disputeId} ${disputeState(d.state)}</h1>` + rows([
      ['kind', esc(d.kind)],
      ['request', link.request(d.requestId)],
      [d.kind === 'audit' ? 'audits drawn by' : 'challenger', link.account(d.challenger)],
      d.kind === 'challenge' ? ['bond', eth(d.bond)] : null,
      ['answer', `<code>${esc(d.outputHash)}</code>`],
      ['signed by', d.signers.map(link.worker).join('<br>')],
      ['jury', d.jurors.map(link.worker).join('<br>') || 'not drawn yet'],
      d.verdictDeadline != null ? ['verdicts due', utc(d.verdictDeadline)] : null,
      ['verdicts', `${d.votes} of ${d.jurySize}: ${d.agreed} agree, ${d.disagreed} disagree`],
      d.slashed != null ? ['slashed', eth(d.slashed)] : null,
      d.refund != null ? ['requester refunded', eth(d.refund)] : null,
      d.reward != null ? ['challenger rewarded', eth(d.reward)] : null,
      d.juryOutputHash ? ['the jury\'s output', `<code>${esc(d.juryOutputHash)}</code>`] : null,
      ['opened in', `block ${d.openedBlock} · <code>${esc(d.openedTx)}</code>`],
      d.resolvedBlock != null ? ['resolved in', `block ${d.resolvedBlock} · <code>${esc(d.resolvedTx)}</code>`] : null,
    ].filter(Boolean));
    if (d.verdicts.length) {
      html += `<h2>Verdicts</h2>` + table(['juror', 'agrees', 'its output', 'block'],
        d.verdicts.map(v => [link.worker(v.juror), v.agrees ? 'yes' : 'no', `<code>${esc(v.jurorOutputHash)}</code>`, v.block]));
    }
    if (d.jurorPay.length) {
      html += `<h2>Juror pay</h2>` + table(['juror', 'operator', 'amount'],
        d.jurorPay.map(p => [link.worker(p.juror), link.account(p.operator), eth(p.amount)]));
    }
    return html;
  },
};

async function route() {
  const [, page, arg] = (location.hash || '#/').split('/');
  try {
    view.innerHTML = await (pages[page] ? pages[page](decodeURIComponent(arg || '')) : pages.home());
  } catch (e) {
    view.innerHTML = `<p class="error" id="error">${esc(e.message)}</p>`;
  }
}

/** A search becomes a route: a number is a request, 0x+40 hex an account (or worker), 0x+64 hex a dataset, m:N a model. */
document.getElementById('search').addEventListener('submit', async ev => {
  ev.preventDefault();
  const q = document.getElementById('q').value.trim();
  if (/^\d+$/.test(q)) location.hash = '#/request/' + q;
  else if (/^m(odel)?[: ]?\d+$/i.test(q)) location.hash = '#/model/' + q.replace(/\D/g, '');
  else if (/^0x[0-9a-fA-F]{64}$/.test(q)) location.hash = '#/dataset/' + q.toLowerCase();
  else if (/^0x[0-9a-fA-F]{40}$/.test(q)) {
    const worker = await fetch('v1/workers/' + q.toLowerCase());
    location.hash = (worker.ok ? '#/worker/' : '#/account/') + q.toLowerCase();
  } else view.innerHTML = `<p class="error" id="error">Search by request id, address, model (m:1) or dataset sha256.</p>`;
});

window.addEventListener('hashchange', route);
route();
