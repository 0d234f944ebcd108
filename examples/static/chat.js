// The chat client of examples/app.py: one websocket to /ws, messages are JSON {"from": ..., "text": ...}.
(function () {
  const log = document.getElementById("log");
  const form = document.getElementById("chat");
  const input = document.getElementById("message");
  const name = "guest" + Math.floor(Math.random() * 1000);
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(`${scheme}//${location.host}/ws?name=${encodeURIComponent(name)}`);
  function show(text) {
    const line = document.createElement("div");
    line.textContent = text;
    log.appendChild(line);
    log.scrollTop = log.scrollHeight;
  }
  ws.onmessage = (event) => {
    const message = JSON.parse(event.data);
    show(`${message.from}: ${message.text}`);
  };
  ws.onclose = (event) => show(`(disconnected: ${event.code})`);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (input.value) { ws.send(input.value); input.value = ""; }
  });
})();
