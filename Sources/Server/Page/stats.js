// Minimal statistics view: the /api/stats answer as text. Replaced by the full view (branch page).
"use strict";
fetch("/api/stats").then((r) => r.json()).then((stats) => {
  for (const p of stats.recent) p.thumbnail = "(" + p.thumbnail.length + " bytes of base64 PNG)";
  document.getElementById("stats").textContent = JSON.stringify(stats, null, 2);
});
