// The drawing page: a canvas (pointer events: mouse, touch, pen), upload by file picker or drag and drop,
// POST /api/predict, the answer (digit, confidence, ten bars, top 3, the 28x28 the model saw), and
// POST /api/feedback ("Right", or "Wrong: it is a N"). No framework, no build step; the page's
// Content-Security-Policy allows no inline scripts or styles, so everything lives here and in style.css.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);

  // MNIST's form: white ink on black. The server crops the ink and scales it to 20x20, so a digit drawn
  // about 200 px tall with a 20 px pen ends up with strokes about 2 px wide, as MNIST's are.
  const PEN_WIDTH = 20;
  const INK = "#ffffff";
  const PAPER = "#000000";
  const TOKEN_KEY = "stepwise.token";
  const PREVIEW_LIMIT = 10 * 1024 * 1024; // larger files are sent without a preview (the server refuses them)

  const pad = $("pad");
  const ctx = pad.getContext("2d");
  const undoButton = $("undo");
  const clearButton = $("clear");
  const submitButton = $("submit");
  const fileInput = $("file");
  const dropzone = $("dropzone");
  const statusLine = $("status");
  const result = $("result");
  const feedbackStatus = $("feedback-status");
  const tokenForm = $("token-form");
  const tokenInput = $("token");
  const rightButton = $("right");
  const wrongButtons = [];

  let strokes = []; // each stroke is a list of {x, y} in canvas pixels
  let active = null; // {pointerId, points} while a pointer is down
  let busy = false;
  let prediction = null; // the last answer of /api/predict
  let pendingFeedback = null; // what to send again once a token is given
  let token = readToken();

  // ---------------------------------------------------------------- drawing

  function paintPaper() {
    ctx.fillStyle = PAPER;
    ctx.fillRect(0, 0, pad.width, pad.height);
  }

  function setPen() {
    ctx.strokeStyle = INK;
    ctx.fillStyle = INK;
    ctx.lineWidth = PEN_WIDTH;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
  }

  function dot(p) {
    ctx.beginPath();
    ctx.arc(p.x, p.y, PEN_WIDTH / 2, 0, 2 * Math.PI);
    ctx.fill();
  }

  function drawStroke(points) {
    setPen();
    if (points.length === 1) {
      dot(points[0]);
      return;
    }
    ctx.beginPath();
    ctx.moveTo(points[0].x, points[0].y);
    for (let i = 1; i < points.length; i++) ctx.lineTo(points[i].x, points[i].y);
    ctx.stroke();
  }

  function redraw() {
    paintPaper();
    for (const s of strokes) drawStroke(s);
    updateTools();
  }

  function canvasPoint(event) {
    const r = pad.getBoundingClientRect();
    const x = ((event.clientX - r.left) * pad.width) / r.width;
    const y = ((event.clientY - r.top) * pad.height) / r.height;
    return { x: Math.max(0, Math.min(pad.width, x)), y: Math.max(0, Math.min(pad.height, y)) };
  }

  pad.addEventListener("pointerdown", (event) => {
    if (event.pointerType === "mouse" && event.button !== 0) return;
    if (active) return; // one stroke at a time (a second finger is ignored)
    event.preventDefault();
    pad.setPointerCapture(event.pointerId);
    const p = canvasPoint(event);
    active = { pointerId: event.pointerId, points: [p] };
    strokes.push(active.points);
    setPen();
    dot(p);
    updateTools();
  });

  pad.addEventListener("pointermove", (event) => {
    if (!active || event.pointerId !== active.pointerId) return;
    event.preventDefault();
    const events = typeof event.getCoalescedEvents === "function" ? event.getCoalescedEvents() : [];
    const list = events.length ? events : [event];
    setPen();
    for (const e of list) {
      const last = active.points[active.points.length - 1];
      const p = canvasPoint(e);
      if (p.x === last.x && p.y === last.y) continue;
      active.points.push(p);
      ctx.beginPath();
      ctx.moveTo(last.x, last.y);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
    }
  });

  function endStroke(event) {
    if (!active || event.pointerId !== active.pointerId) return;
    active = null;
    updateTools();
  }
  pad.addEventListener("pointerup", endStroke);
  pad.addEventListener("pointercancel", endStroke);
  pad.addEventListener("lostpointercapture", endStroke);
  // A long press on touch screens would otherwise open a menu over the canvas.
  pad.addEventListener("contextmenu", (event) => event.preventDefault());

  undoButton.addEventListener("click", undo);
  clearButton.addEventListener("click", () => {
    strokes = [];
    active = null;
    redraw();
    say(statusLine, "Cleared.");
  });

  function undo() {
    if (!strokes.length) return;
    strokes.pop();
    active = null;
    redraw();
  }

  function updateTools() {
    const empty = strokes.length === 0;
    undoButton.disabled = empty;
    clearButton.disabled = empty;
    submitButton.disabled = empty || busy;
  }

  document.addEventListener("keydown", (event) => {
    const inField = event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement;
    if ((event.ctrlKey || event.metaKey) && !event.shiftKey && event.key.toLowerCase() === "z" && !inField) {
      event.preventDefault();
      undo();
    }
  });
  // The canvas is focusable so keyboard users hear what it is; Enter on it asks for a prediction.
  pad.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !submitButton.disabled) submitDrawing();
  });

  // ---------------------------------------------------------------- submitting

  submitButton.addEventListener("click", submitDrawing);

  function submitDrawing() {
    if (!strokes.length) {
      say(statusLine, "Draw a digit first.", true);
      return;
    }
    const preview = pad.toDataURL("image/png");
    pad.toBlob((blob) => {
      if (!blob) {
        say(statusLine, "This browser could not turn the drawing into a PNG.", true);
        return;
      }
      predict(blob, "image/png", preview, "your drawing");
    }, "image/png");
  }

  fileInput.addEventListener("change", () => {
    const file = fileInput.files && fileInput.files[0];
    if (file) submitFile(file);
  });

  // Drag and drop onto the square; a file dropped elsewhere must not make the browser leave the page.
  for (const name of ["dragenter", "dragover"]) {
    dropzone.addEventListener(name, (event) => {
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = "copy";
      dropzone.classList.add("dragging");
    });
  }
  dropzone.addEventListener("dragleave", (event) => {
    // Moving onto the canvas inside the square is not leaving it.
    if (!event.relatedTarget || !dropzone.contains(event.relatedTarget)) dropzone.classList.remove("dragging");
  });
  dropzone.addEventListener("dragend", () => dropzone.classList.remove("dragging"));
  dropzone.addEventListener("drop", (event) => {
    event.preventDefault();
    dropzone.classList.remove("dragging");
    const file = event.dataTransfer && event.dataTransfer.files[0];
    if (file) submitFile(file);
  });
  window.addEventListener("dragover", (event) => event.preventDefault());
  window.addEventListener("drop", (event) => event.preventDefault());

  // A file goes as multipart form data, so the server keeps its name (incorrect_predictions/'s record says
  // which file it was); the drawing goes as the PNG body itself.
  function submitFile(file) {
    const form = new FormData();
    form.append("file", file, file.name);
    if (file.size > PREVIEW_LIMIT) {
      predict(form, null, "", file.name); // the server will say if it is too large; no preview
      return;
    }
    const reader = new FileReader();
    reader.onload = () => predict(form, file.type, String(reader.result), file.name);
    reader.onerror = () => say(statusLine, `Could not read ${file.name}.`, true);
    reader.readAsDataURL(file); // a data: URL for the preview (the policy allows data: images, not blob:)
  }

  // `type` is the image's type: the Content-Type of a raw body, or a hint for errors when `body` is FormData
  // (whose Content-Type, with its boundary, the browser sets).
  async function predict(body, type, preview, what) {
    busy = true;
    updateTools();
    say(statusLine, `Sending ${what}…`);
    try {
      const headers = { Accept: "application/json" };
      if (!(body instanceof FormData)) headers["Content-Type"] = type;
      const response = await fetch("/api/predict", { method: "POST", headers, body });
      const answer = await readJSON(response);
      if (!response.ok) {
        say(statusLine, errorText(response, answer, type || ""), true);
        return;
      }
      showPrediction(answer, preview);
      say(statusLine, `The model says ${labelOf(answer)}, ${$("confidence").textContent} confident.`);
    } catch (error) {
      say(statusLine, `Could not reach the server: ${error.message}`, true);
    } finally {
      busy = false;
      updateTools();
      fileInput.value = "";
    }
  }

  // ---------------------------------------------------------------- the answer

  function probabilitiesOf(answer) {
    const p = Array.isArray(answer.probabilities) ? answer.probabilities.map(Number) : [];
    return p.length === 10 && p.every(Number.isFinite) ? p : null;
  }

  function labelOf(answer) {
    if (Number.isInteger(answer.label)) return answer.label;
    const p = probabilitiesOf(answer);
    return p ? p.indexOf(Math.max(...p)) : "?";
  }

  function top3Of(answer) {
    if (Array.isArray(answer.top3) && answer.top3.length) {
      return answer.top3.map((c) => ({ label: c.label, probability: Number(c.probability) }));
    }
    const p = probabilitiesOf(answer);
    if (!p) return [];
    return p.map((probability, label) => ({ label, probability }))
      .sort((a, b) => b.probability - a.probability)
      .slice(0, 3);
  }

  function showPrediction(answer, preview) {
    prediction = answer;
    const label = labelOf(answer);
    const p = probabilitiesOf(answer);
    const confidence = Number.isFinite(answer.confidence) ? answer.confidence : p && Number.isInteger(label) ? p[label] : NaN;

    $("label").textContent = String(label);
    $("confidence").textContent = percent(confidence);
    $("top3").textContent = top3Of(answer).map((c) => `${c.label} (${percent(c.probability)})`).join(", ") || "–";

    const bars = $("bars");
    bars.replaceChildren();
    for (let d = 0; d < 10; d++) {
      const value = p ? p[d] : NaN;
      const item = document.createElement("li");
      item.className = d === label ? "bar predicted" : "bar";
      const name = document.createElement("span");
      name.className = "bar-label";
      name.textContent = String(d);
      const track = document.createElement("span");
      track.className = "bar-track";
      track.setAttribute("aria-hidden", "true");
      const fill = document.createElement("span");
      fill.className = "bar-fill";
      // CSSOM, not a style attribute: allowed under the page's Content-Security-Policy.
      fill.style.width = `${Number.isFinite(value) ? Math.max(0, Math.min(1, value)) * 100 : 0}%`;
      track.append(fill);
      const number = document.createElement("span");
      number.className = "bar-value";
      number.textContent = percent(value);
      item.append(name, track, number);
      bars.append(item);
    }

    const digit = $("digit");
    if (typeof answer.digit === "string" && answer.digit) {
      digit.src = answer.digit.startsWith("data:") ? answer.digit : `data:image/png;base64,${answer.digit}`;
      digit.closest("figure").hidden = false;
    } else {
      digit.removeAttribute("src");
      digit.closest("figure").hidden = true;
    }
    $("sent").src = preview;
    $("sent-figure").hidden = !preview;
    // The server names a multipart upload by its file name, a raw body "upload".
    const named = typeof answer.file === "string" && answer.file && answer.file !== "upload";
    $("sent-caption").textContent = named ? `What you sent: ${answer.file}` : "What you sent";

    $("preprocessing").textContent = `Preprocessing: ${describe(answer.preprocessing) || "not reported"}`;
    $("model").textContent = `Model: ${describeModel(answer.model)}`;

    const canAnswer = answer.id !== undefined && answer.id !== null;
    rightButton.disabled = !canAnswer;
    rightButton.removeAttribute("title");
    for (const b of wrongButtons) {
      b.disabled = !canAnswer;
      b.classList.toggle("predicted", Number(b.dataset.label) === label);
      b.setAttribute("aria-pressed", "false");
    }
    rightButton.setAttribute("aria-pressed", "false");
    tokenForm.hidden = true;
    pendingFeedback = null;
    say(feedbackStatus, canAnswer ? "" : "The server gave no prediction id, so feedback cannot be sent.", !canAnswer);

    result.hidden = false;
    const box = result.getBoundingClientRect();
    if (box.top > window.innerHeight || box.bottom < 0) result.scrollIntoView({ behavior: "smooth", block: "start" });
  }

  function describe(value) {
    if (value === undefined || value === null) return "";
    if (typeof value === "string") return value;
    return JSON.stringify(value);
  }

  function describeModel(model) {
    if (!model || typeof model !== "object") return typeof model === "string" ? model : "not reported";
    const parts = [];
    if (model.sha256) parts.push(`sha256 ${String(model.sha256).slice(0, 12)}`);
    if (model.created) parts.push(`made ${model.created}`);
    if (Number.isFinite(model.test_accuracy)) parts.push(`test accuracy ${percent(model.test_accuracy, 2)}`);
    return parts.join(", ") || "not reported";
  }

  // ---------------------------------------------------------------- feedback

  const wrongGroup = $("wrong-buttons");
  for (let d = 0; d < 10; d++) {
    const b = document.createElement("button");
    b.type = "button";
    b.id = `wrong-${d}`;
    b.className = "digit-button";
    b.dataset.label = String(d);
    b.textContent = String(d);
    b.setAttribute("aria-label", `Wrong: it is a ${d}`);
    b.setAttribute("aria-pressed", "false");
    b.disabled = true;
    b.addEventListener("click", () => {
      press(b);
      sendFeedback({ id: prediction.id, label: d });
    });
    wrongButtons.push(b);
    wrongGroup.append(b);
  }
  rightButton.disabled = true;
  rightButton.addEventListener("click", () => {
    press(rightButton);
    sendFeedback({ id: prediction.id, verdict: "right" });
  });

  function press(button) {
    for (const b of [rightButton, ...wrongButtons]) b.setAttribute("aria-pressed", String(b === button));
  }

  tokenForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = tokenInput.value.trim();
    if (!value) return;
    token = value;
    try {
      sessionStorage.setItem(TOKEN_KEY, token);
    } catch {
      // storage may be disabled; the token then lasts as long as the page
    }
    tokenInput.value = "";
    tokenForm.hidden = true;
    if (pendingFeedback) sendFeedback(pendingFeedback);
  });

  async function sendFeedback(payload) {
    if (!prediction) return;
    pendingFeedback = payload;
    const headers = { "Content-Type": "application/json", Accept: "application/json" };
    if (token) headers.Authorization = `Bearer ${token}`;
    say(feedbackStatus, "Sending…");
    try {
      const response = await fetch("/api/feedback", { method: "POST", headers, body: JSON.stringify(payload) });
      const answer = await readJSON(response);
      if (response.status === 401) {
        const refused = Boolean(token);
        forgetToken();
        tokenForm.hidden = false;
        tokenInput.focus();
        say(feedbackStatus, refused ? "The server refused that token; enter it again." : "The server needs a token for feedback.", true);
        return;
      }
      if (!response.ok) {
        // 409: this prediction was already corrected (here or elsewhere), so "Right" no longer applies.
        if (response.status === 409) rightButton.disabled = true;
        say(feedbackStatus, errorText(response, answer), true);
        return;
      }
      pendingFeedback = null;
      // Once corrected, the server refuses "Right" for this prediction (409): the button says so first.
      if (payload.label !== undefined) {
        rightButton.disabled = true;
        rightButton.title = "Already corrected: this prediction was marked wrong";
      }
      say(feedbackStatus, feedbackText(answer, payload));
    } catch (error) {
      say(feedbackStatus, `Could not reach the server: ${error.message}`, true);
    }
  }

  function readToken() {
    try {
      return sessionStorage.getItem(TOKEN_KEY);
    } catch {
      return null;
    }
  }

  function forgetToken() {
    token = null;
    try {
      sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      // nothing stored
    }
  }

  // What the server says it did, in words. Its own message wins; otherwise the status it names.
  function feedbackText(answer, payload) {
    if (!answer || typeof answer !== "object") return "Sent.";
    if (typeof answer.message === "string" && answer.message) {
      return answer.message.charAt(0).toUpperCase() + answer.message.slice(1) + (/[.!]$/.test(answer.message) ? "" : ".");
    }
    const status = String(answer.status ?? answer.result ?? answer.outcome ?? answer.stored ?? "").toLowerCase();
    const label = answer.label ?? answer.true_label ?? payload.label;
    const where = answer.entry ?? answer.path ?? answer.folder ?? answer.stored_at;
    const at = where ? ` (${where})` : "";
    switch (status.replace(/[\s-]/g, "_")) {
      case "stored":
      case "true":
        return `Stored as a ${label} in incorrect_predictions/${at}: the next retrain learns from it.`;
      case "already_stored":
      case "alreadystored":
      case "duplicate":
        return `Already stored as a ${label}${at}; nothing changed.`;
      case "relabelled":
      case "relabeled": {
        const from = answer.from ?? answer.previous_label ?? answer.old_label;
        return `Relabelled${from !== undefined ? ` from ${from}` : ""} to ${label}${at}.`;
      }
      case "not_stored":
      case "right":
      case "recorded":
      case "confirmed":
        return "Thanks: recorded as right.";
      default:
        if (payload.verdict === "right") return "Thanks: recorded as right.";
        return `The server answered: ${JSON.stringify(answer)}`;
    }
  }

  // ---------------------------------------------------------------- helpers

  async function readJSON(response) {
    const text = await response.text();
    try {
      return text ? JSON.parse(text) : null;
    } catch {
      return { error: text.trim().slice(0, 300) };
    }
  }

  function errorText(response, answer, sentType = "") {
    const reason = answer && answer.error ? answer.error : response.statusText || "no reason given";
    const otherImage = sentType.startsWith("image/") && sentType !== "image/png" && sentType !== "image/jpeg";
    const hint = response.status === 415 && otherImage ? " (the server reads PNG and JPEG images)" : "";
    return `The server answered ${response.status}: ${reason}${hint}`;
  }

  function percent(value, digits = 1) {
    if (!Number.isFinite(value)) return "–";
    if (value > 0 && value < 0.001) return "<0.1%";
    return `${(value * 100).toFixed(digits)}%`;
  }

  function say(element, text, isError = false) {
    element.textContent = text;
    element.classList.toggle("error", Boolean(isError && text));
  }

  redraw();
})();
