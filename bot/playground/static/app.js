// The playground page: state from /api/state, actions to /api/*; the real bot does the rest.
"use strict";

(function () {
  const { renderBlocks, renderInput, renderMrkdwn, el, EMOJI } = window.SlackRender;
  const POLL_MS = 2500;
  const REACTIONS = ["+1", "-1"];
  const SUGGESTIONS = ["help", "what is the ikea effect", "tip", "subscribe", "top", "stats"];
  const MENTION_EXAMPLE = "@AI PM Coach should we let users edit the AI's draft?";

  const $ = (id) => document.getElementById(id);
  const ui = {
    messages: $("messages"), composer: $("composer"), form: $("composer-form"), notice: $("notice"),
    switcher: $("user-switcher"), postTip: $("post-tip"), tabMessages: $("tab-messages"),
    tabHome: $("tab-home"), messagesPane: $("messages-pane"), homePane: $("home-pane"),
    channelHeader: $("channel-header"),
    homeView: $("home-view"), topic: $("channel-topic"), title: $("channel-title"),
    suggestions: $("suggestions"), send: $("send"), tabDm: $("tab-dm"), dmPane: $("dm-pane"),
    dmMessages: $("dm-messages"), dmForm: $("dm-form"), dmComposer: $("dm-composer"),
    modalRoot: $("modal-root"), teamName: $("team-name"), teamPicker: $("team-picker"),
    teamSwitcher: $("team-switcher"),
  };
  let state = null;
  let me = localStorage.getItem("playground-user") || "";
  // `serve --playground --workspaces 2`: which workspace this page shows (?team=T...).
  const team = new URLSearchParams(location.search).get("team") || "";
  let tab = "messages";
  let busy = 0;
  const history = JSON.parse(localStorage.getItem("playground-history") || "[]");
  let historyAt = history.length;

  async function api(path, body) {
    const url = body === undefined && team
      ? `${path}${path.includes("?") ? "&" : "?"}team=${encodeURIComponent(team)}` : path;
    const sent = body === undefined || !team ? body : { ...body, team };
    const response = await fetch(url, sent === undefined ? {} : {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(sent),
    });
    let data = {};
    try { data = await response.json(); } catch (e) { data = { ok: false, error: `HTTP ${response.status}` }; }
    return data;
  }

  async function withBusy(task) {
    busy += 1;
    document.body.classList.add("busy");
    try {
      await ready; // who "me" is comes with the first state
      return await task();
    } catch (e) {
      notify("The playground server did not answer: " + e.message);
    } finally {
      busy -= 1;
      if (!busy) document.body.classList.remove("busy");
    }
  }

  async function refresh(force) {
    const since = !force && state ? `&since=${state.version}` : "";
    const data = await api(`/api/state?user=${encodeURIComponent(me)}${since}`);
    if (data.unchanged) return;
    const stick = force || nearBottom();
    state = data;
    window.playgroundState = data;
    me = data.me;
    render();
    if (stick) ui.messages.scrollTop = ui.messages.scrollHeight;
  }

  function nearBottom() {
    const m = ui.messages;
    return m.scrollHeight - m.scrollTop - m.clientHeight < 80;
  }

  function person(id) {
    return (state.people || []).find((p) => p.id === id);
  }

  function authorOf(message) {
    if (message.author === "USLACKBOT") return { name: "Slackbot", bot: true, initial: "S", cls: "slackbot" };
    const id = message.user || message.author;
    if (id === state.bot.id || message.bot_id) return { name: state.bot.name, bot: true, initial: "AI", cls: "bot" };
    const p = person(id);
    return { name: p ? p.real_name : id, bot: false, initial: p ? p.real_name[0] : "?", cls: "user-" + (p ? p.name : "x") };
  }

  function clock(ts) {
    const date = new Date(parseFloat(ts) * 1000);
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function render() {
    ui.teamName.textContent = state.team.name;
    const teams = state.teams || [];
    ui.teamPicker.hidden = teams.length < 2;
    ui.teamSwitcher.replaceChildren(...teams.map((t) => el("option", {
      value: t.id, selected: t.id === state.team.id,
    }, t.name)));
    ui.switcher.replaceChildren(...state.people.map((p) => el("option", {
      value: p.id, selected: p.id === me,
    }, `${p.real_name}${p.is_admin ? " (admin)" : ""} · ${p.tz}`)));
    ui.title.textContent = tab === "dm" ? `${state.bot.name} · Messages` : "# " + state.channel.name;
    ui.topic.replaceChildren(renderMrkdwn(state.channel.topic || ""));
    ui.composer.placeholder = `Message #${state.channel.name}, e.g. ${state.command} what is the ikea effect`;
    ui.suggestions.replaceChildren(...SUGGESTIONS.map((s) => el("button", {
      type: "button", class: "chip", "data-testid": "suggestion",
      onclick: () => { ui.composer.value = `${state.command} ${s}`; ui.composer.focus(); },
    }, `${state.command} ${s}`)), el("button", {
      type: "button", class: "chip", "data-testid": "suggestion",
      onclick: () => { ui.composer.value = MENTION_EXAMPLE; ui.composer.focus(); },
    }, MENTION_EXAMPLE));
    renderMessages();
    renderDm();
    if (tab === "home") renderHome();
    renderModal();
  }

  function renderMessages() {
    if (!state.messages.length) {
      ui.messages.replaceChildren(el("div", { class: "empty" },
        `Nothing here yet. Type ${state.command} what is the ikea effect, or press “Post today's tip”.`));
      return;
    }
    // Replies sit in their parent's thread, as Slack shows them when the thread is open.
    const replies = {};
    for (const m of state.messages) {
      if (m.thread_ts && m.thread_ts !== m.ts) (replies[m.thread_ts] = replies[m.thread_ts] || []).push(m);
    }
    const known = new Set(state.messages.map((m) => m.ts));
    const top = state.messages.filter((m) => !m.thread_ts || m.thread_ts === m.ts || !known.has(m.thread_ts));
    ui.messages.replaceChildren(...top.map((m) => {
      const box = renderMessage(m, false);
      const thread = replies[m.ts];
      if (thread && m.kind !== "ephemeral") box.querySelector(".body").append(renderThread(m, thread));
      return box;
    }));
  }

  function renderThread(parent, replies) {
    const input = el("input", {
      type: "text", class: "thread-input", "data-testid": "thread-reply", maxlength: "4000",
      "aria-label": "Reply in thread", placeholder: "Reply… (mention @AI PM Coach to ask again)",
    });
    const form = el("form", { class: "thread-form", autocomplete: "off" }, input,
      el("button", { type: "submit", class: "chip" }, "Reply"));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      send(input.value, parent.ts);
    });
    return el("div", { class: "thread", "data-testid": "thread", "data-thread-ts": parent.ts },
      el("div", { class: "thread-count" }, `${replies.length} ${replies.length === 1 ? "reply" : "replies"}`),
      replies.map((m) => renderMessage(m, false)), form);
  }

  function renderDm() {
    const dm = state.dm || [];
    ui.dmMessages.replaceChildren(...(dm.length ? dm.map((m) => renderMessage(m, true)) : [el("div", { class: "empty" },
      "Ask the coach anything here, only you see it. Try: how do we evaluate an LLM feature? Or tip, top, help.")]));
  }

  function renderMessage(message, inDm) {
    const who = authorOf(message);
    const ephemeral = message.kind === "ephemeral";
    const target = ephemeral ? message.id : message.ts;
    const onAction = (element, button) => click(target, element, button);
    const box = el("article", {
      class: `message ${ephemeral ? "ephemeral" : ""}`, "data-testid": ephemeral ? "ephemeral" : "message",
      "data-ts": message.ts, "data-id": message.id || message.ts,
      "data-tip": message.metadata?.event_type === "aipm_tip" ? message.metadata.event_payload?.tip_id : null,
    },
    el("div", { class: `avatar ${who.cls}`, "aria-hidden": "true" }, who.initial),
    el("div", { class: "body" },
      el("div", { class: "meta" },
        el("span", { class: "author" }, who.name),
        who.bot ? el("span", { class: "app-badge" }, "APP") : null,
        el("span", { class: "time" }, clock(message.ts)),
        ephemeral ? el("span", { class: "only-you", "data-testid": "only-visible" }, "👁 Only visible to you") : null),
      ephemeral && message.command ? el("div", { class: "invoked" }, "You used ", el("code", {}, message.command)) : null,
      el("div", { class: "blocks" }, renderBlocks(message.blocks, message.text, onAction)),
      !ephemeral && !inDm && message.metadata?.event_type === "aipm_tip" ? renderReactions(message) : null),
    ephemeral || inDm ? null : renderShortcuts(message));
    return box;
  }

  // The message's "More actions" menu: the app's message shortcuts.
  function renderShortcuts(message) {
    const shortcuts = state.shortcuts || [];
    if (!shortcuts.length) return null;
    const menu = el("div", { class: "shortcut-menu", hidden: true, role: "menu" },
      shortcuts.map((s) => el("button", {
        type: "button", role: "menuitem", class: "shortcut", "data-testid": "shortcut-" + s.callback_id,
        onclick: () => { menu.hidden = true; shortcut(message.ts, s.callback_id); },
      }, s.name)));
    return el("div", { class: "more" },
      el("button", {
        type: "button", class: "more-button", title: "More actions", "aria-label": "More actions",
        "data-testid": "more-actions", onclick: () => { menu.hidden = !menu.hidden; },
      }, "⋮"), menu);
  }

  function renderModal() {
    const view = state.modal;
    if (!view) { ui.modalRoot.replaceChildren(); return; }
    const open = ui.modalRoot.querySelector(".modal");
    if (open && open.dataset.viewId === view.id && open.dataset.hash === (view.hash || "") &&
        JSON.stringify(view.errors || {}) === open.dataset.errors) return; // keep what is being typed
    const errors = view.errors || {};
    const typed = view.typed || {};
    const onAction = (element) => modalAction(view.id, element);
    const blocks = (view.blocks || []).map((block) => block.type === "input"
      ? renderInput(block, typed[block.block_id], errors[block.block_id])
      : renderBlocks([block], "", onAction)[0]);
    const form = el("form", {
      class: "modal", "data-testid": "modal", "data-view-id": view.id, "data-hash": view.hash || "",
      "data-errors": JSON.stringify(errors), role: "dialog", "aria-modal": "true", "aria-labelledby": "modal-title",
      onsubmit: (event) => { event.preventDefault(); submitModal(view.id, event.currentTarget); },
    },
    el("h2", { id: "modal-title", "data-testid": "modal-title" }, view.title ? view.title.text : ""),
    el("div", { class: "modal-body blocks" }, blocks),
    el("div", { class: "modal-buttons" },
      el("button", { type: "button", "data-testid": "modal-close", onclick: () => closeModal(view.id) },
        view.close ? view.close.text : "Close"),
      view.submit ? el("button", { type: "submit", class: "primary", "data-testid": "modal-submit" }, view.submit.text) : null));
    ui.modalRoot.replaceChildren(el("div", { class: "modal-backdrop" }, form));
    const first = form.querySelector("[aria-invalid=true]") || form.querySelector("input, textarea");
    if (first) first.focus();
  }

  function renderReactions(message) {
    const existing = message.reactions || [];
    const names = [...REACTIONS, ...existing.map((r) => r.name).filter((n) => !REACTIONS.includes(n))];
    return el("div", { class: "reactions", "data-testid": "reactions" }, names.map((name) => {
      const entry = existing.find((r) => r.name === name) || { users: [], count: 0 };
      const mine = entry.users.includes(me);
      return el("button", {
        type: "button", class: `reaction ${mine ? "mine" : ""} ${entry.count ? "" : "zero"}`,
        "data-testid": `react-${name}`, "aria-pressed": mine ? "true" : "false",
        title: entry.users.map((u) => (person(u) || { real_name: u }).real_name).join(", ") || `React :${name}:`,
        onclick: () => react(message.ts, name, !mine),
      }, `${EMOJI[name] || ":" + name + ":"} `, el("span", { class: "count" }, String(entry.count)));
    }));
  }

  function renderHome() {
    const view = state.home;
    ui.homeView.replaceChildren(view ? el("div", { class: "blocks" }, renderBlocks(view.blocks, "", homeAction))
      : el("div", { class: "empty" }, "Opening the App Home…"));
  }

  function notify(text, extra) {
    ui.notice.hidden = !text;
    ui.notice.replaceChildren(text ? renderMrkdwn(text) : "", extra || "");
  }

  // -- actions -------------------------------------------------------------------------

  async function send(text, threadTs) {
    if (!text.trim()) return;
    if (text.trim().startsWith("/")) {
      if (history[history.length - 1] !== text) history.push(text);
      localStorage.setItem("playground-history", JSON.stringify(history.slice(-50)));
    }
    historyAt = history.length;
    ui.composer.value = "";
    notify("");
    await withBusy(async () => {
      const result = await api("/api/send", { user: me, text, thread_ts: threadTs || "" });
      if (!result.ok && result.error && result.kind !== "error") notify(result.error);
      await refresh(true);
    });
    ui.composer.focus();
  }

  async function sendDm(text) {
    if (!text.trim()) return;
    ui.dmComposer.value = "";
    await withBusy(async () => {
      const result = await api("/api/dm", { user: me, text });
      if (!result.ok) notify(result.error || `The coach did not answer (HTTP ${result.status}).`);
      await refresh(true);
      ui.dmMessages.scrollTop = ui.dmMessages.scrollHeight;
    });
    ui.dmComposer.focus();
  }

  async function click(target, element, button) {
    if (button) button.disabled = true;
    await withBusy(async () => {
      const result = await api("/api/action", {
        user: me, target, action_id: element.action_id, block_id: element.block_id || "",
        value: element.side || "",
      });
      if (!result.ok) notify(`The app did not handle that click (${result.error || "HTTP " + result.status}).`);
      await refresh(true);
    });
  }

  async function homeAction(element, button) {
    if (button) button.disabled = true;
    await withBusy(async () => {
      const result = await api("/api/home-action", {
        user: me, action_id: element.action_id, block_id: element.block_id || "", value: element.value || "",
      });
      if (!result.ok) notify(`The app did not handle that click (${result.error || "HTTP " + result.status}).`);
      await refresh(true);
    });
  }

  async function modalAction(viewId, element) {
    await withBusy(async () => {
      await api("/api/modal-action", { user: me, view_id: viewId, action_id: element.action_id, value: element.value || "" });
      await refresh(true);
    });
  }

  async function shortcut(ts, callbackId) {
    await withBusy(async () => {
      const result = await api("/api/shortcut", { user: me, ts, callback_id: callbackId });
      if (!result.ok) notify(`The shortcut did not run (${result.error || "HTTP " + result.status}).`);
      await refresh(true);
    });
  }

  async function submitModal(viewId, form) {
    const values = {};
    for (const field of form.querySelectorAll("[data-block-id]")) values[field.dataset.blockId] = field.value;
    await withBusy(async () => {
      const result = await api("/api/submit", { user: me, view_id: viewId, values });
      if (!result.ok) notify(`The app did not take the form (${result.error || "HTTP " + result.status}).`);
      // The app's next view may keep the form's id and hash (an update to the same view):
      // drop the open form so the next render always shows what the app answered.
      if (result.ok && !result.errors) ui.modalRoot.replaceChildren();
      await refresh(true);
      if (tab === "home" && !result.errors) await openHome();
    });
  }

  async function closeModal(viewId) {
    await withBusy(async () => {
      await api("/api/close-modal", { user: me, view_id: viewId });
      await refresh(true);
    });
  }

  async function react(ts, name, add) {
    await withBusy(async () => {
      const result = await api("/api/react", { user: me, ts, name, add });
      if (!result.ok) notify(`Reaction not recorded (${result.error || "HTTP " + result.status}).`);
      await refresh(false);
    });
  }

  async function postTip(force) {
    ui.postTip.disabled = true;
    await withBusy(async () => {
      const result = await api("/api/post-tip", { force: !!force });
      const again = result.status === "already" ? el("button", {
        type: "button", class: "link", "data-testid": "post-tip-force", onclick: () => postTip(true),
      }, "Post another tip") : null;
      notify(result.message || result.error || "Nothing happened.", again);
      await refresh(true);
    });
    ui.postTip.disabled = false;
  }

  async function openHome() {
    showTab("home");
    await withBusy(async () => {
      const result = await api("/api/home", { user: me });
      if (!result.ok) notify(`The App Home did not load (${result.error || "HTTP " + result.status}).`);
      await refresh(true);
      renderHome();
    });
  }

  function showTab(name) {
    tab = name;
    const panes = [[ui.tabMessages, ui.messagesPane, "messages"], [ui.tabHome, ui.homePane, "home"],
      [ui.tabDm, ui.dmPane, "dm"]];
    for (const [button, pane, id] of panes) {
      pane.hidden = name !== id;
      button.classList.toggle("active", name === id);
      if (name === id) button.setAttribute("aria-current", "page"); else button.removeAttribute("aria-current");
    }
    // The channel's header (its name, topic and Post today's tip) belongs to the channel only.
    ui.channelHeader.hidden = name !== "messages";
    if (state) render();
    if (name === "messages") ui.composer.focus();
    if (name === "dm") ui.dmComposer.focus();
  }

  // -- wiring --------------------------------------------------------------------------

  ui.form.addEventListener("submit", (event) => { event.preventDefault(); send(ui.composer.value); });
  ui.composer.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send(ui.composer.value);
    } else if (event.key === "ArrowUp" && (!ui.composer.value || historyAt < history.length) && history.length) {
      event.preventDefault();
      historyAt = Math.max(0, historyAt - 1);
      ui.composer.value = history[historyAt];
    } else if (event.key === "ArrowDown" && historyAt < history.length) {
      event.preventDefault();
      historyAt += 1;
      ui.composer.value = history[historyAt] || "";
    }
  });
  ui.switcher.addEventListener("change", async () => {
    me = ui.switcher.value;
    localStorage.setItem("playground-user", me);
    await refresh(true);
    if (tab === "home") openHome();
  });
  ui.teamSwitcher.addEventListener("change", () => {
    location.search = `?team=${encodeURIComponent(ui.teamSwitcher.value)}`;
  });
  ui.postTip.addEventListener("click", () => postTip(false));
  ui.tabMessages.addEventListener("click", () => showTab("messages"));
  ui.tabHome.addEventListener("click", openHome);
  ui.tabDm.addEventListener("click", () => showTab("dm"));
  ui.dmForm.addEventListener("submit", (event) => { event.preventDefault(); sendDm(ui.dmComposer.value); });
  ui.dmComposer.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendDm(ui.dmComposer.value);
    }
  });

  const ready = refresh(true).catch((e) => notify("The playground server did not answer: " + e.message))
    .then(() => ui.composer.focus());
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && state && state.modal) closeModal(state.modal.id);
  });
  setInterval(() => { if (!busy && !document.hidden) refresh(false).catch(() => {}); }, POLL_MS);
})();
