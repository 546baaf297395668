// A notes channel over its own WebSocket (/ws/sessions/{id}/notes), reconnecting after drops,
// for pages outside the call. Speaks the room protocol's handshake, then carries notes-* messages.
const BACKOFF_MS = [0, 1000, 3000, 5000];

export function notesSocket(sessionId, { onStatus = () => {} } = {}) {
  const listeners = [];
  const openers = [];
  let socket = null;
  let attempt = 0;
  let closed = false;

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}/ws/sessions/${sessionId}/notes`);
    onStatus(attempt ? "reconnecting" : "connecting");
    socket.addEventListener("open", () => socket.send(JSON.stringify({ type: "join" })));
    socket.addEventListener("message", (event) => {
      let msg;
      try {
        msg = JSON.parse(event.data);
      } catch {
        return;
      }
      if (msg.type === "welcome") {
        attempt = 0;
        onStatus("online");
        openers.forEach((cb) => cb());
        return;
      }
      if (msg.type === "ping") {
        socket.send(JSON.stringify({ type: "pong" }));
        return;
      }
      listeners.forEach((cb) => cb(msg));
    });
    socket.addEventListener("close", (event) => {
      if (closed) return;
      if (event.code === 4001) {
        onStatus("replaced");
        return; // the notes were opened in another tab
      }
      onStatus("offline");
      const delay = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)] + Math.random() * 300;
      attempt += 1;
      setTimeout(connect, delay);
    });
  }

  connect();
  return {
    send(msg) {
      if (!socket || socket.readyState !== WebSocket.OPEN) throw new Error("offline");
      socket.send(JSON.stringify(msg));
    },
    onMessage(cb) {
      listeners.push(cb);
    },
    onOpen(cb) {
      openers.push(cb);
    },
    close() {
      closed = true;
      socket?.close(1000, "bye");
    },
  };
}
