// Passkey ceremonies for posture's sign-in, enrolment and account pages. The server
// sends WebAuthn options as JSON with base64url strings for binary fields; the browser
// API wants ArrayBuffers, and the answer goes back the other way.
"use strict";
(function () {
  function b64uToBuf(s) {
    var b = atob(s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4));
    var a = new Uint8Array(b.length);
    for (var i = 0; i < b.length; i++) a[i] = b.charCodeAt(i);
    return a.buffer;
  }
  function bufToB64u(buf) {
    var a = new Uint8Array(buf), s = "";
    for (var i = 0; i < a.length; i++) s += String.fromCharCode(a[i]);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function descriptors(list) {
    return (list || []).map(function (d) { return Object.assign({}, d, { id: b64uToBuf(d.id) }); });
  }
  async function post(url, csrf, body) {
    var resp = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body || {})
    });
    var data = {};
    try { data = await resp.json(); } catch (e) { /* not JSON: keep the status */ }
    if (!resp.ok) throw new Error(data.error || ("The server answered " + resp.status + "."));
    return data;
  }
  function withParam(url, k, v) {
    return url + (url.indexOf("?") < 0 ? "?" : "&") + k + "=" + encodeURIComponent(v);
  }
  function status(form, msg, isError) {
    var el = form.querySelector(".passkey-status");
    el.textContent = msg;
    el.className = "passkey-status" + (isError ? " error" : "");
  }
  function describe(err) {
    if (err && err.name === "NotAllowedError") return "The passkey prompt was cancelled or timed out.";
    if (err && err.name === "InvalidStateError") return "This authenticator already holds a passkey for this account.";
    return (err && err.message) || String(err);
  }

  async function login(form) {
    var d = form.dataset, email = form.querySelector("input[name=email]");
    var opts = await post(d.begin, d.csrf, { email: email ? email.value : "" });
    var pk = opts.publicKey;
    pk.challenge = b64uToBuf(pk.challenge);
    pk.allowCredentials = descriptors(pk.allowCredentials);
    var cred = await navigator.credentials.get({ publicKey: pk });
    var r = cred.response;
    var out = await post(withParam(d.finish, "next", d.next || "/"), d.csrf, {
      id: cred.id, rawId: bufToB64u(cred.rawId), type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      clientExtensionResults: cred.getClientExtensionResults(),
      response: {
        clientDataJSON: bufToB64u(r.clientDataJSON), authenticatorData: bufToB64u(r.authenticatorData),
        signature: bufToB64u(r.signature), userHandle: r.userHandle ? bufToB64u(r.userHandle) : undefined
      }
    });
    window.location.assign(out.redirect || "/");
  }

  async function register(form) {
    var d = form.dataset, name = form.querySelector("input[name=name]");
    var opts = await post(d.begin, d.csrf, {});
    var pk = opts.publicKey;
    pk.challenge = b64uToBuf(pk.challenge);
    pk.user.id = b64uToBuf(pk.user.id);
    pk.excludeCredentials = descriptors(pk.excludeCredentials);
    var cred = await navigator.credentials.create({ publicKey: pk });
    var r = cred.response;
    var out = await post(withParam(d.finish, "name", name && name.value ? name.value : "passkey"), d.csrf, {
      id: cred.id, rawId: bufToB64u(cred.rawId), type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      clientExtensionResults: cred.getClientExtensionResults(),
      response: {
        clientDataJSON: bufToB64u(r.clientDataJSON), attestationObject: bufToB64u(r.attestationObject),
        transports: r.getTransports ? r.getTransports() : []
      }
    });
    status(form, out.message || "Done.", false);
    if (out.redirect) window.location.assign(out.redirect);
  }

  function wire(id, fn) {
    var form = document.getElementById(id);
    if (!form) return;
    if (!window.PublicKeyCredential) {
      status(form, "This browser does not support passkeys.", true);
      return;
    }
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var button = form.querySelector("button");
      button.disabled = true;
      status(form, "Waiting for your passkey…", false);
      fn(form).catch(function (err) { status(form, describe(err), true); })
        .finally(function () { button.disabled = false; });
    });
  }
  wire("passkey-login", login);
  wire("passkey-register", register);
})();
