// The node slot a node writes its statistics under: a small number, so that readers can name
// every bucket by `_id` (site, hour, slot). With Redis, each node leases the lowest free slot
// (SET NX with an expiry, renewed while the node runs); without Redis a node is alone: slot 0.
// A node that lost its lease (Redis emptied, a long pause) holds its counts until it leases
// a slot again: two nodes never write one bucket.
import { randomUUID } from 'node:crypto';
import type { Redis } from '../redis';

export const MAX_SLOTS = 64;
const LEASE_MS = 60_000;
const RENEW_MS = 15_000;

/** Renews the key only while it still holds our token. */
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export interface SlotLease {
  /** The slot held now; null while none is. */
  current(): Promise<number | null>;
  close(): Promise<void>;
}

export const soleSlot = (): SlotLease => ({ current: async () => 0, close: async () => {} });

export class RedisSlotLease implements SlotLease {
  private readonly token = randomUUID();
  private slot: number | null = null;
  private renewedAt = 0;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(n: number) {
    return `${this.prefix}:slot:${n}`;
  }

  async current(): Promise<number | null> {
    const now = Date.now();
    if (this.slot !== null && now - this.renewedAt < RENEW_MS) return this.slot;
    if (this.slot !== null) {
      const kept = await this.redis.eval(RENEW, 1, this.key(this.slot), this.token, LEASE_MS);
      if (kept === 1) {
        this.renewedAt = now;
        return this.slot;
      }
      this.slot = null;
    }
    for (let n = 0; n < MAX_SLOTS; n++) {
      if ((await this.redis.set(this.key(n), this.token, 'PX', LEASE_MS, 'NX')) === 'OK') {
        this.slot = n;
        this.renewedAt = now;
        return n;
      }
    }
    return null;
  }

  async close(): Promise<void> {
    if (this.slot === null) return;
    await this.redis.eval(RELEASE, 1, this.key(this.slot), this.token).catch(() => {});
    this.slot = null;
  }
}
