// The statistics page: GET /api/stats rendered as numbers and tables. Every field may be missing (an empty
// log, an older server): what is missing shows as "–" or a sentence, never as an error.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const status = $("stats-status");

  load();

  async function load() {
    let response, stats;
    try {
      response = await fetch("/api/stats", { headers: { Accept: "application/json" } });
      const text = await response.text();
      try {
        stats = text ? JSON.parse(text) : {};
      } catch {
        stats = { error: text.trim().slice(0, 300) };
      }
    } catch (error) {
      fail(`Could not reach the server: ${error.message}`);
      return;
    }
    if (!response.ok) {
      fail(`The server answered ${response.status}: ${(stats && stats.error) || response.statusText}`);
      return;
    }
    render(stats || {});
    status.textContent = `Updated ${new Date().toLocaleTimeString()}.`;
  }

  function fail(text) {
    status.textContent = text;
    status.classList.add("error");
  }

  function render(s) {
    const right = first(s.confirmed_right, s.right);
    const corrected = first(s.corrected, s.wrong);
    const mean = s.mean_confidence && typeof s.mean_confidence === "object" ? s.mean_confidence : {};
    $("served").textContent = count(first(s.predictions, s.served));
    $("answered").textContent = count(first(s.answered, Number.isFinite(right) && Number.isFinite(corrected) ? right + corrected : undefined));
    $("confirmed-right").textContent = count(right);
    $("corrected").textContent = count(corrected);
    $("accuracy").textContent = percent(s.accuracy);
    $("confidence-right").textContent = percent(first(mean.right, s.confidence_right));
    $("confidence-wrong").textContent = percent(first(mean.wrong, s.confidence_wrong));
    renderPerDigit(s.per_digit);
    renderConfusion(s.confusion);
    renderRecent(s.recent);
    renderModel(s.model);
    renderHistory(s.history);
    renderRetrain(first(s.retrain, s.last_retrain));
  }

  // ---------------------------------------------------------------- per digit

  // per_digit as a list of 10 (numbers, or objects), or an object keyed by digit.
  function perDigitRows(value) {
    if (!value || typeof value !== "object") return [];
    const rows = [];
    for (let d = 0; d < 10; d++) {
      let entry = Array.isArray(value)
        ? value.find((e) => e && typeof e === "object" && Number(first(e.label, e.digit)) === d) ?? value[d]
        : value[d] ?? value[String(d)];
      if (entry === undefined || entry === null) entry = {};
      if (typeof entry === "number") entry = { accuracy: entry };
      const right = first(entry.right, entry.confirmed_right, entry.correct);
      const wrong = first(entry.wrong, entry.corrected);
      let answered = first(entry.answered, entry.total, entry.count);
      if (answered === undefined && Number.isFinite(right) && Number.isFinite(wrong)) answered = right + wrong;
      let accuracy = entry.accuracy;
      if (!Number.isFinite(accuracy) && Number.isFinite(right) && answered > 0) accuracy = right / answered;
      rows.push({ digit: d, answered, right, wrong, accuracy });
    }
    return rows;
  }

  function renderPerDigit(value) {
    const rows = perDigitRows(value);
    const host = $("per-digit");
    if (!rows.length) {
      host.replaceChildren(para("No answers yet."));
      return;
    }
    const table = el("table");
    const head = el("tr", [el("th", "Digit", { scope: "row" })]);
    const answered = el("tr", [el("th", "Answered", { scope: "row" })]);
    const accuracy = el("tr", [el("th", "Accuracy", { scope: "row" })]);
    for (const r of rows) {
      head.append(el("th", String(r.digit), { scope: "col" }));
      answered.append(el("td", count(r.answered), { class: r.answered ? "" : "zero" }));
      accuracy.append(el("td", percent(r.accuracy, 0), { class: Number.isFinite(r.accuracy) ? "" : "zero" }));
    }
    table.append(el("thead", [head]), el("tbody", [answered, accuracy]));
    host.replaceChildren(table);
  }

  // ---------------------------------------------------------------- confusion

  // confusion as a 10x10 matrix [true][predicted], a list of {true, predicted, count}, or {true: {predicted: n}}.
  function confusionMatrix(value) {
    const m = Array.from({ length: 10 }, () => new Array(10).fill(0));
    if (!value || typeof value !== "object") return m;
    if (Array.isArray(value) && value.length && Array.isArray(value[0])) {
      value.forEach((row, t) => row.forEach((n, p) => add(t, p, n)));
    } else if (Array.isArray(value)) {
      for (const e of value) {
        if (!e || typeof e !== "object") continue;
        add(first(e.true, e.true_label, e.actual), first(e.predicted, e.predicted_label, e.label), first(e.count, e.n, 1));
      }
    } else {
      for (const [t, row] of Object.entries(value)) {
        if (row && typeof row === "object") for (const [p, n] of Object.entries(row)) add(t, p, n);
      }
    }
    return m;

    function add(t, p, n) {
      t = Number(t);
      p = Number(p);
      if (Number.isInteger(t) && Number.isInteger(p) && t >= 0 && t < 10 && p >= 0 && p < 10 && Number.isFinite(Number(n))) {
        m[t][p] += Number(n);
      }
    }
  }

  function renderConfusion(value) {
    const m = confusionMatrix(value);
    const host = $("confusion");
    const total = m.flat().reduce((a, b) => a + b, 0);
    if (!total) {
      host.replaceChildren(para("No corrections yet."));
      return;
    }
    const max = Math.max(...m.flat());
    const table = el("table");
    table.append(caption(`${total} corrected ${total === 1 ? "prediction" : "predictions"}: rows are the true digit, columns what the model said`));
    const head = el("tr", [el("th", "True \\ said", { scope: "col", class: "text" })]);
    for (let p = 0; p < 10; p++) head.append(el("th", String(p), { scope: "col" }));
    const body = el("tbody");
    for (let t = 0; t < 10; t++) {
      const row = el("tr", [el("th", String(t), { scope: "row" })]);
      for (let p = 0; p < 10; p++) {
        const n = m[t][p];
        row.append(el("td", n ? String(n) : "·", { class: n ? (n === max ? "hot" : "") : "zero" }));
      }
      body.append(row);
    }
    table.append(el("thead", [head]), body);
    host.replaceChildren(table);
  }

  // ---------------------------------------------------------------- recent

  function renderRecent(list) {
    const host = $("recent");
    if (!Array.isArray(list) || !list.length) {
      host.replaceChildren(para("No predictions yet. Draw one on the drawing page."));
      return;
    }
    const table = el("table");
    table.append(caption(`The last ${list.length} ${list.length === 1 ? "prediction" : "predictions"}, newest first`));
    const headings = ["Image", "When", "Said", "Confidence", "Answer"].map((h) => el("th", h, { scope: "col", class: "text" }));
    headings.push(el("th", "Model", { scope: "col", class: "text wide-only" }));
    table.append(el("thead", [el("tr", headings)]));
    const body = el("tbody");
    for (const p of list) {
      if (!p || typeof p !== "object") continue;
      const image = el("td");
      const data = first(p.digit, p.thumbnail, p.image);
      if (typeof data === "string" && data) {
        const img = el("img", null, { class: "thumb", width: "42", height: "42", alt: `28 by 28 image predicted as ${first(p.label, p.predicted, "?")}` });
        img.src = data.startsWith("data:") ? data : `data:image/png;base64,${data}`;
        image.append(img);
      } else {
        image.append(el("span", "–", { class: "muted" }));
      }
      const label = first(p.label, p.predicted, p.predicted_label);
      body.append(el("tr", [
        image,
        recentTime(first(p.time, p.created, p.at, p.created_at, p.timestamp)),
        el("td", label === undefined ? "–" : String(label)),
        el("td", percent(p.confidence)),
        answerCell(p),
        el("td", short(first(p.model_sha256, p.model && p.model.sha256, p.model)), { class: "text mono wide-only" }),
      ]));
    }
    table.append(body);
    host.replaceChildren(table);
  }

  // Today's predictions by their time of day (UTC), older ones with their date; the full time as a tooltip.
  function recentTime(value) {
    const full = when(value);
    const cell = el("td", full, { class: "text nowrap", title: full });
    const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})/.exec(full);
    if (match) {
      const today = new Date().toISOString().slice(0, 10);
      cell.textContent = match[1] === today ? match[2] : `${match[1]} ${match[2].slice(0, 5)}`;
    }
    return cell;
  }

  function answerCell(p) {
    const trueLabel = first(p.true_label, p.corrected_to, p.label_given);
    const verdict = String(first(p.verdict, "")).toLowerCase();
    if (Number.isInteger(trueLabel) && trueLabel !== first(p.label, p.predicted)) {
      return el("td", `wrong: a ${trueLabel}`, { class: "text no" });
    }
    if (verdict === "right" || p.right === true || (Number.isInteger(trueLabel) && trueLabel === first(p.label, p.predicted))) {
      return el("td", "right", { class: "text ok" });
    }
    if (verdict === "wrong") return el("td", "wrong", { class: "text no" });
    return el("td", "no answer", { class: "text muted" });
  }

  // ---------------------------------------------------------------- models and retraining

  function renderModel(model) {
    const host = $("model");
    if (!model || typeof model !== "object") {
      host.replaceChildren(para(typeof model === "string" ? model : "Not reported."));
      return;
    }
    const list = el("dl", null, { class: "numbers compact" });
    list.append(
      pair("SHA-256", short(model.sha256, 16), "mono"),
      pair("Made", when(first(model.created, model.date))),
      pair("Test accuracy", percent(model.test_accuracy, 2)),
    );
    host.replaceChildren(list);
    if (model.sha256) list.firstChild.lastChild.title = model.sha256;
  }

  function renderHistory(history) {
    const host = $("history");
    if (!Array.isArray(history) || !history.length) {
      host.replaceChildren(para("None: this is the first model."));
      return;
    }
    const models = history.filter((m) => m && typeof m === "object");
    const hashes = models.some((m) => m.sha256);
    const sizes = models.some((m) => Number.isFinite(m.bytes));
    const headings = ["File", ...(hashes ? ["SHA-256"] : []), "Made", "Test accuracy", ...(sizes ? ["Size"] : [])];
    const table = el("table");
    table.append(caption("Newest first"));
    table.append(el("thead", [el("tr", headings.map((h) => el("th", h, { scope: "col", class: "text" })))]));
    const body = el("tbody");
    for (const m of models) {
      const cells = [el("td", first(m.file, m.path, m.name, "–"), { class: "text mono" })];
      if (hashes) cells.push(el("td", short(m.sha256, 16), { class: "text mono" }));
      cells.push(el("td", when(first(m.created, m.date)), { class: "text" }), el("td", percent(m.test_accuracy, 2)));
      if (sizes) cells.push(el("td", Number.isFinite(m.bytes) ? `${(m.bytes / 1e6).toFixed(1)} MB` : "–"));
      body.append(el("tr", cells));
    }
    table.append(body);
    host.replaceChildren(table);
  }

  function renderRetrain(retrain) {
    const host = $("last-retrain");
    if (retrain === undefined || retrain === null) {
      host.replaceChildren(para("No retrain has run yet."));
      return;
    }
    if (typeof retrain !== "object") {
      host.replaceChildren(para(String(retrain)));
      return;
    }
    const decision = first(retrain.decision, retrain.gate, retrain.outcome);
    const promoted = first(retrain.promoted, decision && /promot/i.test(String(decision)));
    const nodes = [];
    const headline = el("p");
    headline.append(el("strong", promoted === true ? "Promoted" : promoted === false ? "Kept the current model" : String(decision ?? "Decision not reported"),
      { class: promoted === true ? "ok" : promoted === false ? "no" : "" }));
    const at = first(retrain.run, retrain.at, retrain.finished, retrain.time, retrain.date);
    if (at) headline.append(` on ${when(at)}`);
    nodes.push(headline);
    const reason = first(retrain.reason, retrain.why, retrain.message);
    if (reason) nodes.push(para(String(reason)));
    const shown = new Set(["decision", "gate", "outcome", "promoted", "run", "at", "finished", "time", "date", "reason", "why", "message"]);
    const rest = Object.entries(retrain).filter(([k, v]) => !shown.has(k) && v !== null && typeof v !== "object");
    if (rest.length) {
      const list = el("dl", null, { class: "numbers compact" });
      for (const [k, v] of rest) list.append(pair(k.replace(/_/g, " "), typeof v === "number" && Math.abs(v) <= 1 && /accuracy/.test(k) ? percent(v, 2) : String(v)));
      nodes.push(list);
    }
    host.replaceChildren(...nodes);
  }

  // ---------------------------------------------------------------- helpers

  function first(...values) {
    return values.find((v) => v !== undefined && v !== null);
  }

  function el(tag, content, attributes) {
    const node = document.createElement(tag);
    if (Array.isArray(content)) node.append(...content);
    else if (content !== null && content !== undefined) node.textContent = String(content);
    for (const [k, v] of Object.entries(attributes || {})) if (v !== "") node.setAttribute(k, v);
    return node;
  }

  function para(text) {
    return el("p", text, { class: "muted" });
  }

  function caption(text) {
    return el("caption", text);
  }

  function pair(name, value, valueClass) {
    return el("div", [el("dt", name), el("dd", value, { class: valueClass || "" })]);
  }

  function count(n) {
    return Number.isFinite(n) ? n.toLocaleString("en") : "–";
  }

  function percent(value, digits = 1) {
    if (!Number.isFinite(value)) return "–";
    return `${(value * 100).toFixed(digits)}%`;
  }

  function short(hash, length = 12) {
    return typeof hash === "string" && hash ? hash.slice(0, length) : "–";
  }

  function when(value) {
    if (value === undefined || value === null || value === "") return "–";
    const date = typeof value === "number" ? new Date(value * 1000) : new Date(value);
    if (Number.isNaN(date.getTime())) return String(value);
    return date.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC").replace(/Z$/, " UTC");
  }
})();
