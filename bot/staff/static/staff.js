// careline staff console: the handoff queue, one handoff, and staff actions. Same origin,
// no third-party code. The token is kept for this tab only (sessionStorage).
(function () {
  "use strict";
  const api = new URL(".", document.baseURI).pathname.replace(/static\/$/, "") + "api/";
  const store = window.sessionStorage;
  const $ = function (id) { return document.getElementById(id); };
  let current = null;

  function say(text) { $("status").textContent = text; }

  async function call(method, path, body) {
    const response = await fetch(api + path, {
      method: method,
      headers: {
        "Authorization": "Bearer " + (store.getItem("staff.token") || ""),
        "Content-Type": "application/json",
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await response.json().catch(function () { return {}; });
    if (response.status === 401) {
      store.removeItem("staff.token");
      showSignIn();
      throw new Error("The staff token was refused. Sign in again.");
    }
    if (!response.ok) throw new Error(data.error || "The request failed.");
    return data;
  }

  function when(iso) { return new Date(iso).toLocaleString(); }

  function item(list, who, text, at) {
    const li = document.createElement("li");
    const name = document.createElement("span");
    name.className = "who";
    name.textContent = who + ": ";
    li.appendChild(name);
    li.appendChild(document.createTextNode(text));
    if (at) {
      const time = document.createElement("span");
      time.className = "when";
      time.textContent = when(at);
      li.appendChild(time);
    }
    list.appendChild(li);
  }

  async function loadQueue() {
    const data = await call("GET", "handoffs");
    const list = $("queue");
    list.textContent = "";
    if (!data.handoffs.length) {
      const li = document.createElement("li");
      li.textContent = "No open handoffs.";
      list.appendChild(li);
    }
    data.handoffs.forEach(function (h) {
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = "Handoff " + h.id + " (" + (h.channel === "text" ? "SMS" : "web chat") +
        ", " + h.status + (h.claimed_by ? " by " + h.claimed_by : "") + ") " +
        (h.account_number ? "account " + h.account_number : "unverified") +
        ", " + when(h.created_at);
      b.addEventListener("click", function () { open(h.id).catch(fail); });
      li.appendChild(b);
      list.appendChild(li);
    });
  }

  function render(h) {
    current = h.id;
    $("detail").hidden = false;
    $("detail-heading").textContent = "Handoff " + h.id;
    $("detail-meta").textContent = "Status: " + h.status +
      (h.claimed_by ? " (" + h.claimed_by + ")" : "") +
      (h.outcome ? ". Outcome: " + h.outcome : "") +
      ". " + (h.channel === "text" ? "SMS " : "Web chat ") + h.conversation_id +
      (h.callback_phone ? ". Callback: " + h.callback_phone : "") + ".";
    $("summary").textContent = h.summary;
    $("transcript").textContent = "";
    h.transcript.forEach(function (t) {
      item($("transcript"), t.speaker === "customer" ? "Customer" : "Assistant", t.text, t.at);
    });
    $("messages").textContent = "";
    h.messages.forEach(function (m) {
      const who = m.sender === "customer" ? "Customer" :
        m.sender === "staff" ? m.author + " (staff)" : "Assistant";
      item($("messages"), who, m.text, m.at);
    });
    $("notes").textContent = "";
    h.notes.forEach(function (n) {
      item($("notes"), n.category + " (" + n.channel + ", " + n.author + ")", n.summary,
           n.created_at);
    });
    const closed = h.status === "closed";
    ["claim", "handback"].forEach(function (id) { $(id).disabled = closed; });
    $("reply-form").hidden = closed;
    $("close-form").hidden = closed;
  }

  async function open(id) { render(await call("GET", "handoffs/" + id)); }

  async function act(action, body) {
    const data = await call("POST", "handoffs/" + current + "/" + action,
                            Object.assign({ staff: store.getItem("staff.name") }, body || {}));
    render(data);
    await loadQueue();
    return data;
  }

  function fail(error) { say(error.message); }

  function showSignIn() {
    $("console").hidden = true;
    $("signin").hidden = false;
  }

  async function start() {
    $("signin").hidden = true;
    $("console").hidden = false;
    await loadQueue();
    say("");
  }

  $("signin").addEventListener("submit", function (event) {
    event.preventDefault();
    store.setItem("staff.name", $("staff-name").value.trim());
    store.setItem("staff.token", $("staff-token").value);
    $("staff-token").value = "";
    start().catch(fail);
  });
  $("refresh").addEventListener("click", function () { loadQueue().catch(fail); });
  $("claim").addEventListener("click", function () {
    act("claim").then(function () { say("Claimed."); }, fail);
  });
  $("reply-form").addEventListener("submit", function (event) {
    event.preventDefault();
    act("reply", { text: $("reply").value }).then(function (data) {
      $("reply").value = "";
      say(data.delivery.delivered ? "Reply sent (" + data.delivery.how + ")."
        : "Reply recorded but not delivered: " + data.delivery.how + ".");
    }, fail);
  });
  $("close-form").addEventListener("submit", function (event) {
    event.preventDefault();
    act("close", { outcome: $("outcome").value }).then(function () {
      say("Handoff closed.");
    }, fail);
  });
  $("handback").addEventListener("click", function () {
    act("handback", { outcome: $("outcome").value || undefined }).then(function () {
      say("Handed back to the assistant.");
    }, fail);
  });

  // Keep the queue and the open handoff current while the page is open.
  setInterval(function () {
    if ($("console").hidden) return;
    loadQueue().catch(fail);
    if (current !== null) open(current).catch(fail);
  }, 10000);

  if (store.getItem("staff.token")) start().catch(fail);
})();
