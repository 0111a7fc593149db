// One attempt of one delivery: a POST of the stored body, signed per the Standard Webhooks
// specification (the `standardwebhooks` package: `v1,` and the base64 HMAC-SHA256 of
// `id.timestamp.body` under the secret), to an address checked first (trust/webhook-targets),
// with a deadline, never following a redirect (node:http does not).
import http from 'node:http';
import https from 'node:https';
import type { LookupAddress } from 'node:dns';
import { Webhook } from 'standardwebhooks';
import { checkedAddresses, TargetRefused, type WebhookConfig } from '../../trust/webhook-targets';

export interface AttemptResult {
  ok: boolean;
  /** The receiver's status; null when no answer came. */
  status: number | null;
  error: string | null;
}

const signers = new WeakMap<WebhookConfig, Webhook>();

/** The three Standard Webhooks headers for a body sent now. */
export function signedHeaders(hook: WebhookConfig, msgId: string, body: string, at = new Date()): Record<string, string> {
  let signer = signers.get(hook);
  if (!signer) signers.set(hook, (signer = new Webhook(hook.secret)));
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signer.sign(msgId, at, body),
  };
}

export async function sendDelivery(hook: WebhookConfig, msgId: string, body: string, timeoutMs: number): Promise<AttemptResult> {
  const url = new URL(hook.url);
  let addresses: LookupAddress[];
  try {
    addresses = await checkedAddresses(url.hostname, hook.allowPrivateTargets);
  } catch (err) {
    return { ok: false, status: null, error: err instanceof TargetRefused ? `refused: ${err.message}` : `DNS: ${(err as Error).message}` };
  }
  const payload = Buffer.from(body);
  const headers = {
    'content-type': 'application/json',
    'content-length': String(payload.length),
    'user-agent': 'Charcha-Webhooks/1',
    ...signedHeaders(hook, msgId, body),
  };
  return new Promise<AttemptResult>((resolve) => {
    const req = (url.protocol === 'https:' ? https : http).request(url, {
      method: 'POST',
      headers,
      agent: false,
      signal: AbortSignal.timeout(timeoutMs),
      // Connect to the addresses checked above, not to a second resolution of the name.
      lookup: (_host, opts, cb) => {
        const { all } = opts as { all?: boolean };
        if (all) (cb as (e: null, a: LookupAddress[]) => void)(null, addresses);
        else (cb as (e: null, a: string, f: number) => void)(null, addresses[0]!.address, addresses[0]!.family);
      },
    });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      res.on('error', () => undefined);
      const ok = status >= 200 && status < 300;
      const settle = () => resolve({ ok, status, error: ok ? null : `HTTP ${status}` });
      res.on('end', settle);
      res.on('close', settle);
    });
    req.on('error', (err) => resolve({ ok: false, status: null, error: err.name === 'AbortError' || err.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : err.message || String(err) }));
    req.end(payload);
  });
}
