// What both pages share: the page's token, and JSON requests to the API with one-line errors.
// Loaded before app.js and runs.js (plain scripts: their top-level names are shared).
"use strict";

const $ = (id) => document.getElementById(id);
const token = (() => {
  // A token given as #token=... is kept for this tab only, and dropped from the address.
  const match = location.hash.match(/token=([^&]+)/);
  if (match) {
    sessionStorage.setItem("umbrella-token", decodeURIComponent(match[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
  return sessionStorage.getItem("umbrella-token");
})();

// A JSON request with the token; a refusal becomes an Error whose message is the API's one
// line ("field: message"), with the status and any Retry-After.
async function api(path, options = {}) {
  const headers = Object.assign({ Accept: "application/json" }, options.headers || {});
  if (token) headers.Authorization = "Bearer " + token;
  const response = await fetch(path, Object.assign({}, options, { headers }));
  const body = await response.json().catch(() => ({ message: response.statusText }));
  if (!response.ok) {
    const error = new Error((body.field ? body.field + ": " : "") + (body.message || response.status));
    error.status = response.status;
    error.retryAfter = Number(response.headers.get("Retry-After") || 0);
    throw error;
  }
  return body;
}
