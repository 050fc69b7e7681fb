// Minimal page: upload a PNG, show the prediction, send a verdict. Replaced by the full page (branch page).
"use strict";
let current = null;
const $ = (id) => document.getElementById(id);
for (let d = 0; d <= 9; d++) $("truth").add(new Option(String(d), String(d)));

async function send(url, options) {
  const response = await fetch(url, options);
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

$("upload").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData();
  form.append("file", $("file").files[0]);
  try {
    current = await send("/api/predict", { method: "POST", body: form });
    $("label").textContent = current.label;
    $("confidence").textContent = (current.confidence * 100).toFixed(1) + "%";
    $("digit").src = "data:image/png;base64," + current.digit;
    $("status").textContent = "";
    $("result").hidden = false;
  } catch (error) {
    $("status").textContent = error.message;
    $("result").hidden = false;
  }
});

async function verdict(body) {
  try {
    const answer = await send("/api/feedback", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    $("status").textContent = answer.message;
  } catch (error) {
    $("status").textContent = error.message;
  }
}
$("right").addEventListener("click", () => current && verdict({ id: current.id, verdict: "right" }));
$("wrong").addEventListener("click", () => current && verdict({ id: current.id, label: Number($("truth").value) }));
