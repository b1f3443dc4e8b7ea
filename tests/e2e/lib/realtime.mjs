// Realtime helpers on the npm @microsoft/signalr client, plus a raw WebSocket client that can stop reading.
import * as signalR from '@microsoft/signalr';

export async function connect(base, user) {
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(`${base}/hubs/realtime`, {
      accessTokenFactory: () => user.token,
      transport: signalR.HttpTransportType.WebSockets,
      skipNegotiation: true,
    })
    .configureLogging(signalR.LogLevel.None)
    .build();
  const inbox = { events: [], presence: [], resync: [], closed: [], resources: [] };
  connection.on('sessionEvent', (sessionId, evt) => inbox.events.push({ sessionId, ...evt }));
  connection.on('presence', (sessionId, diff) => inbox.presence.push({ sessionId, ...diff }));
  connection.on('resync', (sessionId, resync) => inbox.resync.push({ sessionId, ...resync }));
  connection.on('sessionClosed', (sessionId) => inbox.closed.push(sessionId));
  connection.on('resourceChanged', (resourceId, change) => inbox.resources.push({ resourceId, ...change }));
  await connection.start();
  return { connection, inbox };
}

export async function until(condition, { timeoutMs = 20_000, message = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${message}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const RS = '\u001e';

/**
 * A bare SignalR JSON-protocol client over a WebSocket (Node's global WebSocket), so a test can
 * stop reading from the socket like a stalled device would.
 */
export async function rawConnect(base, user) {
  const { default: WebSocket } = await import('ws');
  const url = `${base.replace('http', 'ws')}/hubs/realtime?access_token=${encodeURIComponent(user.token)}`;
  const socket = new WebSocket(url);
  const received = [];
  const pending = new Map();
  let nextId = 1;
  let buffer = '';
  await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
  socket.on('message', (data) => {
    buffer += data.toString();
    let index;
    while ((index = buffer.indexOf(RS)) >= 0) {
      const frame = buffer.slice(0, index);
      buffer = buffer.slice(index + 1);
      if (!frame || frame === '{}') continue;
      const message = JSON.parse(frame);
      if (message.type === 3 && pending.has(message.invocationId)) {
        const { resolve, reject } = pending.get(message.invocationId);
        pending.delete(message.invocationId);
        if (message.error) reject(new Error(message.error)); else resolve(message.result);
      } else if (message.type === 1) {
        received.push({ target: message.target, args: message.arguments });
      }
    }
  });
  socket.send(JSON.stringify({ protocol: 'json', version: 1 }) + RS);
  return {
    received,
    invoke(target, ...args) {
      const invocationId = String(nextId++);
      socket.send(JSON.stringify({ type: 1, invocationId, target, arguments: args }) + RS);
      return new Promise((resolve, reject) => pending.set(invocationId, { resolve, reject }));
    },
    /** Stop reading: the kernel buffers fill and the server's writes to us stall. */
    pause() { socket._socket.pause(); },
    resume() { socket._socket.resume(); },
    close() { socket.terminate(); },
  };
}
