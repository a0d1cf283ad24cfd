// Block Kit and Slack mrkdwn to DOM nodes. Text only ever reaches the page as text nodes:
// Slack's entities (&lt; &gt; &amp;) are decoded once into text, never parsed as HTML.
"use strict";

const EMOJI = {
  "+1": "👍", "thumbsup": "👍", "-1": "👎", "thumbsdown": "👎", "bulb": "💡",
  "movie_camera": "🎥", "mega": "📣", "pray": "🙏", "thinking_face": "🤔",
  "white_check_mark": "✅", "warning": "⚠️", "tada": "🎉", "heart": "❤️", "star": "⭐",
  "fire": "🔥", "100": "💯", "raised_hands": "🙌", "clap": "👏", "wave": "👋",
  "calendar": "📅", "eyes": "👀", "speech_balloon": "💬", "sparkles": "✨",
  "heavy_plus_sign": "➕", "bell": "🔔", "wastebasket": "🗑️", "link": "🔗", "memo": "📝",
  "leftwards_arrow_with_hook": "↩️", "rocket": "🚀",
};

// Leftmost match wins; at one position the alternatives are tried in this order.
const INLINE = new RegExp([
  "<([^<>\\s][^<>]*)>",                       // 1 link, mention, special
  "`([^`\\n]+)`",                             // 2 code
  "(?<![\\w*])\\*(?!\\s)([^*\\n]+?)\\*(?![\\w*])", // 3 bold
  "(?<![\\w_])_(?!\\s)([^_\\n]+?)_(?![\\w_])",   // 4 italic
  "(?<![\\w~])~(?!\\s)([^~\\n]+?)~(?![\\w~])",   // 5 strike
  ":([a-z0-9_+\\-]+):",                       // 6 emoji
].join("|"), "g");

function decodeEntities(text) {
  return String(text).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function emojify(text) {
  return text.replace(/:([a-z0-9_+\-]+):/g, (all, name) => EMOJI[name] || all);
}

function people() {
  return (window.playgroundState && window.playgroundState.people) || [];
}

function renderAngle(inner) {
  const [target, label] = splitOnce(inner, "|");
  if (/^(https?:\/\/|mailto:)/i.test(target)) {
    return el("a", { href: decodeEntities(target), target: "_blank", rel: "noopener noreferrer" },
      decodeEntities(label !== undefined ? label : target));
  }
  if (target.startsWith("@")) {
    const bot = (window.playgroundState || {}).bot;
    if (bot && bot.id === target.slice(1)) return el("span", { class: "mention" }, "@" + bot.name);
    const person = people().find((p) => p.id === target.slice(1));
    const name = label || (person ? person.real_name : target.slice(1));
    return el("span", { class: "mention" }, "@" + decodeEntities(name));
  }
  if (target.startsWith("#")) {
    const state = window.playgroundState || {};
    const name = label || (state.channel && state.channel.id === target.slice(1) ? state.channel.name : target.slice(1));
    return el("span", { class: "mention" }, "#" + decodeEntities(name));
  }
  if (target.startsWith("!")) {
    const word = (label || target.slice(1)).split("^")[0];
    return el("span", { class: "mention" }, "@" + decodeEntities(word));
  }
  return document.createTextNode("<" + decodeEntities(inner) + ">");
}

function splitOnce(text, separator) {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function renderInline(text) {
  const out = [];
  let last = 0;
  // matchAll works on a copy of the regex, so the recursion below cannot disturb this loop.
  for (const match of String(text).matchAll(INLINE)) {
    if (match.index > last) out.push(decodeEntities(text.slice(last, match.index)));
    const [all, angle, code, bold, italic, strike, emoji] = match;
    if (angle !== undefined) out.push(renderAngle(angle));
    else if (code !== undefined) out.push(el("code", {}, decodeEntities(code)));
    else if (bold !== undefined) out.push(el("strong", {}, renderInline(bold)));
    else if (italic !== undefined) out.push(el("em", {}, renderInline(italic)));
    else if (strike !== undefined) out.push(el("s", {}, renderInline(strike)));
    else out.push(EMOJI[emoji] || decodeEntities(all));
    last = match.index + all.length;
  }
  if (last < text.length) out.push(decodeEntities(text.slice(last)));
  return out;
}

// Slack mrkdwn (as the bot sends it) to a block element: lines, bullets, inline styles.
function renderMrkdwn(text, className) {
  const box = el("div", { class: "mrkdwn " + (className || "") });
  const lines = String(text || "").split("\n");
  let list = null;
  for (const line of lines) {
    const bullet = line.match(/^\s*[•◦▪-]\s+(.*)$/);
    if (bullet) {
      if (!list) { list = el("ul"); box.append(list); }
      list.append(el("li", {}, renderInline(bullet[1])));
      continue;
    }
    list = null;
    box.append(line.trim() ? el("div", { class: "line" }, renderInline(line)) : el("div", { class: "gap" }));
  }
  return box;
}

function renderText(obj, className) {
  if (!obj) return null;
  if (obj.type === "plain_text") {
    const text = decodeEntities(obj.text || "");
    return el("div", { class: "plain " + (className || "") }, obj.emoji === false ? text : emojify(text));
  }
  return renderMrkdwn(obj.text, className);
}

function renderButton(element, onAction) {
  const label = element.text ? emojify(decodeEntities(element.text.text || "")) : "button";
  const classes = ["block-button", element.style ? "style-" + element.style : ""].join(" ");
  return el("button", {
    type: "button", class: classes, "data-testid": "action-" + element.action_id,
    "data-action-id": element.action_id, onclick: (event) => onAction(element, event.currentTarget),
  }, label);
}

// Slack's feedback buttons: 👍 and 👎 side by side; a click reports which side it was.
function renderFeedback(element, onAction) {
  const side = (name, icon) => {
    const button = element[name + "_button"] || {};
    const label = decodeEntities((button.text || {}).text || name);
    return el("button", {
      type: "button", class: "feedback-button", title: label,
      "aria-label": button.accessibility_label || label,
      "data-testid": "feedback-" + name, "data-action-id": element.action_id,
      onclick: (event) => onAction({ ...element, side: name }, event.currentTarget),
    }, icon);
  };
  return el("span", { class: "feedback-buttons", "data-testid": "feedback-buttons" },
    side("positive", "👍"), side("negative", "👎"));
}

// A table block: the first row is the header; raw_text cells are text, never markup.
function renderTable(block) {
  const rows = Array.isArray(block.rows) ? block.rows : [];
  const cell = (tag, c) => el(tag, {}, c && c.type === "raw_text" ? decodeEntities(c.text || "") : "");
  return el("table", { class: "block table", "data-testid": "table" },
    rows.length ? el("thead", {}, el("tr", {}, rows[0].map((c) => cell("th", c)))) : null,
    el("tbody", {}, rows.slice(1).map((r) => el("tr", {}, r.map((c) => cell("td", c))))));
}

function renderBlock(block, onAction) {
  switch (block.type) {
    case "header":
      return el("div", { class: "block header" }, renderText(block.text, "header-text"));
    case "section": {
      const box = el("div", { class: "block section" }, renderText(block.text));
      if (Array.isArray(block.fields)) {
        box.append(el("div", { class: "fields" }, block.fields.map((f) => renderText(f))));
      }
      if (block.accessory && block.accessory.type === "button") {
        box.append(renderButton({ ...block.accessory, block_id: block.block_id }, onAction));
      }
      return box;
    }
    case "context":
      return el("div", { class: "block context" }, (block.elements || []).map((item) =>
        item.type === "image" ? el("span", { class: "context-image", title: item.alt_text || "" }, "▣")
          : renderText(item, "context-text")));
    case "actions":
      return el("div", { class: "block actions", "data-block-id": block.block_id || "" },
        (block.elements || []).filter((e) => e.type === "button").map((e) =>
          renderButton({ ...e, block_id: block.block_id || "" }, onAction)));
    case "context_actions":
      return el("div", { class: "block context-actions", "data-block-id": block.block_id || "" },
        (block.elements || []).filter((e) => e.type === "feedback_buttons").map((e) =>
          renderFeedback({ ...e, block_id: block.block_id || "" }, onAction)));
    case "table":
      return renderTable(block);
    case "divider":
      return el("hr", { class: "block divider" });
    default:
      return el("div", { class: "block unsupported" }, `[${block.type} block]`);
  }
}

// An input block of a modal: label, a text field holding `value`, hint, and an error if any.
function renderInput(block, value, error) {
  const element = block.element || {};
  const id = "input-" + block.block_id;
  const attrs = {
    id, name: block.block_id, "data-testid": id, "data-block-id": block.block_id,
    "aria-invalid": error ? "true" : null,
    placeholder: element.placeholder ? element.placeholder.text : null,
  };
  let field;
  if (element.type === "static_select") {
    const initial = element.initial_option ? element.initial_option.value : "";
    field = el("select", attrs,
      el("option", { value: "" }, element.placeholder ? decodeEntities(element.placeholder.text || "") : "Pick one"),
      (element.options || []).map((o) => el("option", { value: o.value }, decodeEntities(o.text ? o.text.text : o.value))));
    field.value = value === undefined || value === null ? initial : value;
  } else {
    field = element.multiline ? el("textarea", { ...attrs, rows: 4 }) : el("input", { ...attrs, type: "text" });
    field.value = value === undefined || value === null ? (element.initial_value || "") : value;
  }
  return el("div", { class: "block input" + (error ? " has-error" : "") },
    el("label", { for: id, class: "input-label" }, block.label ? decodeEntities(block.label.text || "") : "",
      block.optional ? el("span", { class: "optional" }, " (optional)") : null),
    field,
    error ? el("div", { class: "input-error", role: "alert", "data-testid": "error-" + block.block_id }, error) : null,
    block.hint ? el("div", { class: "input-hint" }, decodeEntities(block.hint.text || "")) : null);
}

function renderBlocks(blocks, fallbackText, onAction) {
  if (!Array.isArray(blocks) || !blocks.length) return [renderMrkdwn(fallbackText)];
  return blocks.map((block) => renderBlock(block, onAction));
}

window.SlackRender = { renderBlocks, renderInput, renderMrkdwn, renderInline, decodeEntities, el, emojify, EMOJI };
