// A load process for reads: "loads", each one GET after the other of a list of URLs (a widget
// load is the article view, then the first page), `concurrency` loads in flight, over
// keep-alive connections. On each IPC command {urls, loads, concurrency} it answers with the
// wall time of the whole run and each load's time (ms).
import { Agent, get } from 'node:http';
import { nowMs } from '../clock';

interface RunCommand {
  urls: string[];
  loads: number;
  concurrency: number;
}

let agent = new Agent({ keepAlive: true, maxSockets: 256 });

function fetchOnce(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent }, (res) => {
      let size = 0;
      res.on('data', (c: Buffer) => (size += c.length));
      res.on('end', () => (res.statusCode === 200 && size > 0 ? resolve() : reject(new Error(`${url}: ${res.statusCode}`))));
    });
    req.setTimeout(60_000, () => req.destroy(new Error(`${url}: timeout`)));
    req.on('error', reject);
  });
}

async function run(c: RunCommand): Promise<{ seconds: number; samples: number[]; errors: number; firstError?: string }> {
  const samples: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;
  const worker = async () => {
    while (next < c.loads) {
      next++;
      const t0 = nowMs();
      try {
        for (const url of c.urls) await fetchOnce(url);
        samples.push(nowMs() - t0);
      } catch (err) {
        errors++;
        firstError ??= (err as Error).message;
      }
    }
  };
  const t0 = nowMs();
  await Promise.all(Array.from({ length: Math.min(c.concurrency, c.loads) }, worker));
  const seconds = (nowMs() - t0) / 1000;
  agent.destroy();
  agent = new Agent({ keepAlive: true, maxSockets: 256 });
  return { seconds, samples, errors, firstError };
}

process.on('message', async (m: RunCommand) => process.send!(await run(m)));
process.on('disconnect', () => process.exit(0));
