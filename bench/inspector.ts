// Asks a server process started with --inspect for a full garbage collection and its heap,
// so that memory is read when both servers hold only live objects (single RSS readings
// otherwise mostly show how far each heap happens to be from its next collection).
import WebSocket from 'ws';

export async function collectGarbage(inspectPort: number): Promise<{ heapUsed: number }> {
  const list = (await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
  const ws = new WebSocket(list[0]!.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let nextId = 1;
  const call = (method: string, params: object = {}) =>
    new Promise<any>((resolve, reject) => {
      const id = nextId++;
      const onMessage = (data: WebSocket.RawData) => {
        const m = JSON.parse(String(data));
        if (m.id !== id) return;
        ws.off('message', onMessage);
        if (m.error) reject(new Error(m.error.message));
        else resolve(m.result);
      };
      ws.on('message', onMessage);
      ws.send(JSON.stringify({ id, method, params }));
    });
  try {
    await call('HeapProfiler.collectGarbage');
    await call('HeapProfiler.collectGarbage');
    const r = await call('Runtime.evaluate', { expression: 'process.memoryUsage().heapUsed', returnByValue: true });
    return { heapUsed: Number(r.result.value) };
  } finally {
    ws.close();
  }
}
