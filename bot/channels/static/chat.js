// careline web chat: talks to /webhooks/webchat/ on the same origin; no third-party code.
(function () {
  "use strict";
  const base = new URL(".", document.baseURI).pathname.replace(/static\/$/, "");
  const store = window.localStorage;
  const KEY_SESSION = "careline.session";
  const KEY_HISTORY = "careline.history";
  const MAX_HISTORY = 200;

  const list = document.getElementById("messages");
  const choices = document.getElementById("choices");
  const form = document.getElementById("composer");
  const input = document.getElementById("message");
  const status = document.getElementById("status");
  const restart = document.getElementById("restart");

  function history() {
    try { return JSON.parse(store.getItem(KEY_HISTORY) || "[]"); } catch (e) { return []; }
  }
  function remember(entry) {
    const items = history();
    items.push(entry);
    store.setItem(KEY_HISTORY, JSON.stringify(items.slice(-MAX_HISTORY)));
  }

  function renderTable(table) {
    const el = document.createElement("table");
    if (table.caption) {
      const caption = el.createCaption();
      caption.textContent = table.caption;
    }
    const head = el.createTHead().insertRow();
    (table.columns || []).forEach(function (name, i) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = name;
      if (i > 0) th.className = "amount";
      head.appendChild(th);
    });
    const body = el.createTBody();
    (table.rows || []).forEach(function (row) {
      const tr = body.insertRow();
      row.forEach(function (cell, i) {
        const td = tr.insertCell();
        td.textContent = cell;
        if (i > 0) td.className = "amount";
      });
    });
    return el;
  }

  function show(entry) {
    const li = document.createElement("li");
    li.className = "msg " + (entry.from === "me" ? "msg--me" : "msg--bot");
    const who = document.createElement("span");
    who.className = "visually-hidden";
    who.textContent = entry.from === "me" ? "You said: " :
      entry.from === "staff" ? "Customer Care: " : "Assistant: ";
    if (entry.from === "staff") li.className += " msg--staff";
    li.appendChild(who);
    if (entry.text) li.appendChild(document.createTextNode(entry.text));
    if (entry.table) li.appendChild(renderTable(entry.table));
    list.appendChild(li);
    li.scrollIntoView({ block: "end" });
  }

  function showChoices(buttons) {
    choices.textContent = "";
    (buttons || []).forEach(function (button) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = button.title;
      b.addEventListener("click", function () { send(button.payload, button.title); });
      choices.appendChild(b);
    });
  }

  async function post(path, body) {
    const response = await fetch(base + path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body || {}),
    });
    const data = await response.json().catch(function () { return {}; });
    if (!response.ok) {
      const error = new Error(data.error || "The chat service is not available right now.");
      error.status = response.status;
      throw error;
    }
    return data;
  }

  async function session() {
    let token = store.getItem(KEY_SESSION);
    if (!token) {
      token = (await post("session")).session;
      store.setItem(KEY_SESSION, token);
    }
    return token;
  }

  async function send(payload, shownText) {
    const text = shownText === undefined ? payload : shownText;
    const mine = { from: "me", text: text };
    show(mine);
    remember(mine);
    showChoices([]);
    status.textContent = "The assistant is typing…";
    try {
      let data;
      try {
        data = await post("webhook", { session: await session(), message: payload });
      } catch (error) {
        if (error.status !== 403) throw error;
        store.removeItem(KEY_SESSION);  // the server no longer knows this session
        data = await post("webhook", { session: await session(), message: payload });
      }
      let lastButtons = [];
      (data.messages || []).forEach(function (m) {
        if (m.custom && m.custom.handoff) startStaffPolling();
        const entry = { from: "bot", text: m.text || "" };
        if (m.custom && m.custom.table) entry.table = m.custom.table;
        if (!entry.text && !entry.table) return;
        show(entry);
        remember(entry);
        if (m.buttons && m.buttons.length) lastButtons = m.buttons;
      });
      showChoices(lastButtons);
      status.textContent = "";
    } catch (error) {
      status.textContent = error.message + " You can also call Customer Care at " +
        document.body.dataset.carePhone + ".";
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const text = input.value;
    if (!text.trim()) {
      status.textContent = "Type a message first.";
      return;
    }
    input.value = "";
    send(text);
  });

  restart.addEventListener("click", function () {
    store.removeItem(KEY_SESSION);
    store.removeItem(KEY_HISTORY);
    store.removeItem(KEY_STAFF_SEEN);
    list.textContent = "";
    showChoices([]);
    input.focus();
  });

  // While a person from Customer Care has the conversation, ask for their replies.
  const KEY_STAFF_SEEN = "careline.staffSeen";
  let staffTimer = null;
  async function pollStaff() {
    const token = store.getItem(KEY_SESSION);
    if (!token) return;
    const data = await post("updates", {
      session: token, after: Number(store.getItem(KEY_STAFF_SEEN) || 0) });
    (data.messages || []).forEach(function (m) {
      const entry = { from: m.from === "staff" ? "staff" : "bot", text: m.text };
      show(entry);
      remember(entry);
      store.setItem(KEY_STAFF_SEEN, String(m.id));
    });
    if (data.handed_off) startStaffPolling();
    else if (staffTimer !== null) { clearInterval(staffTimer); staffTimer = null; }
  }
  function startStaffPolling() {
    if (staffTimer === null) {
      staffTimer = setInterval(function () { pollStaff().catch(function () {}); }, 3000);
    }
  }

  history().forEach(show);
  pollStaff().catch(function () {});
  input.focus();
})();
