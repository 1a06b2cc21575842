/* Trợ lý CCHC widget for an office's portal:
     <script src="https://tro-ly.example.gov.vn/widget.js" data-title="Hỏi đáp CCHC" defer></script>
   Optional: data-position="left", data-color="#0b3d91", data-open="true".
   It adds a corner button that opens the chat (served by the bot at /embed) in a panel (iframe).
   The bot only lets the origins in CCHC_WEB_ALLOWED_ORIGINS frame the chat. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || document.getElementById("cchc-widget-button")) return;
  var origin = new URL(script.src, window.location.href).origin;
  var data = script.dataset;
  var title = (data.title || "Hỏi đáp CCHC").slice(0, 40);
  var side = data.position === "left" ? "left" : "right";
  var color = /^#[0-9a-fA-F]{3,8}$/.test(data.color || "") ? data.color : "#0b3d91";
  var frame = null;

  function css(node, rules) { Object.keys(rules).forEach(function (k) { node.style[k] = rules[k]; }); }

  var button = document.createElement("button");
  button.type = "button";
  button.id = "cchc-widget-button";
  button.textContent = title;
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "cchc-widget-frame");
  css(button, { position: "fixed", bottom: "16px", zIndex: "2147483000", background: color, color: "#fff",
    border: "0", borderRadius: "24px", padding: "12px 18px", font: "600 15px/1.2 system-ui, sans-serif",
    boxShadow: "0 4px 14px rgba(0,0,0,.25)", cursor: "pointer", minHeight: "44px" });
  button.style[side] = "16px";

  function open() {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.id = "cchc-widget-frame";
      frame.title = "Trợ lý CCHC — hỏi đáp cải cách hành chính";
      frame.src = origin + "/embed";
      css(frame, { position: "fixed", bottom: "76px", zIndex: "2147483000", width: "min(400px, calc(100vw - 32px))",
        height: "min(620px, calc(100vh - 100px))", border: "1px solid #d0d7de", borderRadius: "12px",
        boxShadow: "0 8px 30px rgba(0,0,0,.3)", background: "#fff" });
      frame.style[side] = "16px";
      document.body.appendChild(frame);
    }
    frame.hidden = false;
    frame.style.display = "block";
    button.setAttribute("aria-expanded", "true");
    button.textContent = "Đóng trợ lý";
    frame.focus();
  }

  function close() {
    if (frame) frame.style.display = "none";
    button.setAttribute("aria-expanded", "false");
    button.textContent = title;
  }

  button.addEventListener("click", function () {
    if (button.getAttribute("aria-expanded") === "true") close(); else open();
  });
  window.addEventListener("message", function (e) {
    if (e.origin === origin && e.data && e.data.type === "cchc-close") { close(); button.focus(); }
  });

  function mount() {
    document.body.appendChild(button);
    if (data.open === "true") open();
  }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
