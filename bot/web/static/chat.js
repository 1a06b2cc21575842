/* Trợ lý CCHC chat page. Every text from the server is put in the page with textContent, never as
   HTML, so a question or a document can never inject markup or script. */
(function () {
  "use strict";
  var log = document.getElementById("cchc-log");
  var form = document.getElementById("cchc-form");
  var input = document.getElementById("cchc-input");
  var typing = document.getElementById("cchc-typing");
  var pending = 0;
  var queue = Promise.resolve();

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function addUser(text) {
    var msg = el("div", "msg user");
    msg.appendChild(el("span", "sr-only", "Bạn: "));
    msg.appendChild(document.createTextNode(text));
    log.appendChild(msg);
    scrollDown();
  }

  function addError(text) {
    var msg = el("div", "msg bot error", text);
    msg.setAttribute("role", "alert");
    log.appendChild(msg);
    scrollDown();
  }

  function actionButton(label, payload, group) {
    var b = el("button", null, label);
    b.type = "button";
    b.dataset.payload = payload;
    b.addEventListener("click", function () {
      if (group) {
        group.querySelectorAll("button").forEach(function (o) { o.disabled = true; });
        b.setAttribute("aria-pressed", "true");
      }
      send({ button: payload }, group ? label.split(".")[0] : label);
    });
    return b;
  }

  function renderReply(reply) {
    var msg = el("div", "msg bot");
    msg.appendChild(el("span", "sr-only", "Trợ lý: "));
    if (reply.quiz) {
      var q = reply.quiz;
      if (q.header) msg.appendChild(el("p", "quiz-header", q.header));
      var stem = el("p", "stem", q.stem);
      stem.id = "q" + Math.random().toString(36).slice(2);
      msg.appendChild(stem);
      var group = el("div", "options");
      group.setAttribute("role", "group");
      group.setAttribute("aria-labelledby", stem.id);
      q.options.forEach(function (o) {
        group.appendChild(actionButton(o.letter + ". " + o.text, o.payload, group));
      });
      msg.appendChild(group);
    }
    if (reply.text) msg.appendChild(el("p", "text", reply.text));
    if (reply.citation) {
      var cite = el("div", "cite");
      var src = el("p", "src");
      src.appendChild(el("span", null, "Nguồn: "));
      src.appendChild(document.createTextNode(reply.citation.label));
      cite.appendChild(src);
      if (reply.citation.quote) cite.appendChild(el("blockquote", null, reply.citation.quote));
      msg.appendChild(cite);
    }
    if (reply.buttons && reply.buttons.length) {
      var actions = el("div", "actions");
      reply.buttons.forEach(function (b) { actions.appendChild(actionButton(b.label, b.payload, null)); });
      msg.appendChild(actions);
    }
    log.appendChild(msg);
  }

  function setTyping(on) {
    pending += on ? 1 : -1;
    typing.hidden = pending <= 0;
    log.setAttribute("aria-busy", pending > 0 ? "true" : "false");
  }

  function post(body) {
    setTyping(true);
    return fetch("/api/chat", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok || !data.replies) {
          addError(data.error || "Xin lỗi, đã có lỗi (" + res.status + "). Bạn vui lòng thử lại.");
          return;
        }
        data.replies.forEach(renderReply);
        scrollDown();
      });
    }).catch(function () {
      addError("Không kết nối được với trợ lý. Bạn hãy kiểm tra mạng và thử lại.");
    }).then(function () { setTyping(false); });
  }

  /* Messages go out one after another, so a quiz answer never overtakes its question. */
  function send(body, echo) {
    if (echo) addUser(echo);
    queue = queue.then(function () { return post(body); });
    return queue;
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) { input.focus(); return; }
    input.value = "";
    send({ text: text }, text);
    input.focus();
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  document.querySelectorAll("[data-send]").forEach(function (b) {
    b.addEventListener("click", function () { send({ text: b.dataset.send }, b.textContent); });
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && document.body.classList.contains("embed") && window.parent !== window) {
      window.parent.postMessage({ type: "cchc-close" }, "*");
    }
  });
  send({ text: "/start" }, null);
})();
