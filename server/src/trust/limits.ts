// Rate limits with rate-limiter-flexible: in memory on one node; in Redis (with an in-memory
// insurance limiter for when Redis does not answer) when a Redis client is given, so every
// node counts against the same buckets. Over a limit: a rate_limited DomainError carrying
// the seconds until the bucket has room again.
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Actor } from '../domain/actor';
import { isModerator } from '../domain/actor';
import { DomainError } from '../domain/errors';
import { DEFAULT_LIMITS, FLOOD_FACTOR, type LimitName, type LimitRule } from './limit-rules';
import type { Site } from './sites';

/** Thrown when one connection sends events at flooding rate: the transport disconnects it. */
export class SocketFlooding extends DomainError {
  constructor(retryAfter: number) {
    super('rate_limited', 'Too many events on this connection; disconnecting', retryAfter);
  }
}

export interface LimitsOptions {
  /** A shared ioredis client (created with `enableOfflineQueue: false`); absent: one node, in memory. */
  redis?: Redis;
  /** Prefix of every Redis key, e.g. `charcha:rl`. */
  keyPrefix?: string;
  /** Told of every refusal, by limit name (for the rate-limit metric). */
  onRefused?: (limit: string) => void;
}

const MESSAGES: Record<string, string> = {
  post: 'You are posting too fast',
  edit: 'You are editing too fast',
  react: 'You are reacting too fast',
  flag: 'You are flagging too fast',
  connect: 'Too many connections from your address',
  event: 'Too many events on this connection',
};

export class RateLimits {
  private readonly limiters = new Map<string, RateLimiterAbstract>();
  /** Events per connection live with the connection, on its node: always in memory. */
  private readonly perSocket = new RateLimiterMemory({ keyPrefix: 'event:socket', ...DEFAULT_LIMITS['event:socket'] });

  constructor(private readonly opts: LimitsOptions = {}) {}

  /** Posting a comment: the author's (or guest address's) buckets, then the address, then the site. */
  async post(actor: Actor, guest: boolean): Promise<void> {
    if (isModerator(actor)) return;
    const site = actor.site;
    if (actor.userId && !actor.guest) {
      await this.take(site, 'post:user:burst', actor.userId);
      await this.take(site, 'post:user:hour', actor.userId);
    } else if (guest || actor.guest) {
      await this.take(site, 'post:guest:burst', actor.ip);
      await this.take(site, 'post:guest:hour', actor.ip);
    } else {
      return; // an anonymous reader without a guest name: the domain refuses the post
    }
    await this.take(site, 'post:ip', actor.ip);
    await this.take(site, 'post:site', '*');
  }

  async edit(actor: Actor): Promise<void> {
    if (isModerator(actor)) return;
    await this.take(actor.site, 'edit:user', actor.userId ?? actor.ip);
  }

  async react(actor: Actor): Promise<void> {
    if (actor.userId) await this.take(actor.site, 'react:user', actor.userId);
    await this.take(actor.site, 'react:ip', actor.ip);
  }

  async flag(actor: Actor): Promise<void> {
    if (isModerator(actor)) return;
    if (actor.userId) await this.take(actor.site, 'flag:user', actor.userId);
    await this.take(actor.site, 'flag:ip', actor.ip);
  }

  /** A new Socket.IO connection from `ip` to `site`. */
  async connection(site: Site, ip: string): Promise<void> {
    await this.take(site, 'connect:ip', ip);
  }

  /** One event on a connection to `site`; past FLOOD_FACTOR times the limit it throws SocketFlooding. */
  async socketEvent(socket: { id: string }, site: Site | undefined): Promise<void> {
    const rule = ruleFor(site, 'event:socket');
    const limiter = site && rule !== DEFAULT_LIMITS['event:socket'] ? this.limiter('event:socket', rule, true) : this.perSocket;
    try {
      await limiter.consume(socket.id);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const wait = seconds(err.msBeforeNext);
      this.opts.onRefused?.('event:socket');
      if (err.consumedPoints >= rule.points * FLOOD_FACTOR) throw new SocketFlooding(wait);
      throw new DomainError('rate_limited', MESSAGES.event!, wait);
    }
  }

  /** Consumes one point of `name` for `subject` on `site`, or throws rate_limited. */
  private async take(site: Site, name: LimitName, subject: string): Promise<void> {
    const rule = ruleFor(site, name);
    const limiter = this.limiter(name, rule);
    try {
      await limiter.consume(`${site.id}:${subject}`);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err; // neither Redis nor insurance answered
      const wait = seconds(err.msBeforeNext);
      this.opts.onRefused?.(name);
      throw new DomainError('rate_limited', `${MESSAGES[name.split(':')[0]!]}; try again in ${wait} s`, wait);
    }
  }

  private limiter(name: LimitName, rule: LimitRule, localOnly = false): RateLimiterAbstract {
    const id = `${name}:${rule.points}:${rule.duration}`;
    let limiter = this.limiters.get(id);
    if (limiter) return limiter;
    const keyPrefix = `${this.opts.keyPrefix ?? 'charcha:rl'}:${id}`;
    const memory = new RateLimiterMemory({ keyPrefix, points: rule.points, duration: rule.duration });
    limiter =
      this.opts.redis && !localOnly
        ? new RateLimiterRedis({
            storeClient: this.opts.redis,
            keyPrefix,
            points: rule.points,
            duration: rule.duration,
            rejectIfRedisNotReady: true,
            insuranceLimiter: memory,
          })
        : memory;
    this.limiters.set(id, limiter);
    return limiter;
  }
}

/** The rule for `name` on `site`: the site's override, else the default. */
function ruleFor(site: Site | undefined, name: LimitName): LimitRule {
  return site?.limits[name] ?? DEFAULT_LIMITS[name];
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** The limits of one node or, given a shared ioredis client, of every node using it. */
export function createLimits(opts: LimitsOptions = {}): RateLimits {
  return new RateLimits(opts);
}
