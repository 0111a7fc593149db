// Which failures clients may retry: a backing service out of reach answers `unavailable`
// (503, retried by the SDK); any other fault answers `internal` (500, not retried).
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { MongoClient } from 'mongodb';
import { Redis } from 'ioredis';
import { toErrorBody } from '../../server/src/domain/errors';
import { STATUS } from '../../server/src/http/errors';
import { errorFromBody, InternalError, UnavailableError } from '../../client-sdk/src/core';

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('error classes', () => {
  it('a database that cannot be reached is unavailable (503), and the SDK retries it', async () => {
    const client = new MongoClient(`mongodb://127.0.0.1:${await closedPort()}/x`, { serverSelectionTimeoutMS: 300 });
    const err = await client.db('x').collection('c').findOne({}).then(() => null, (e: unknown) => e);
    await client.close();
    assert.ok(err, 'the driver failed');
    const body = toErrorBody(err);
    assert.equal(body.error.code, 'unavailable');
    assert.equal(STATUS[body.error.code], 503);
    const sdk = errorFromBody(body, 503);
    assert.ok(sdk instanceof UnavailableError);
    assert.equal(sdk.transient, true);
  });

  it('a Redis that cannot be reached is unavailable', async () => {
    const redis = new Redis({ port: await closedPort(), host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    redis.on('error', () => undefined);
    const err = await redis.connect().then(() => null, (e: unknown) => e);
    redis.disconnect();
    assert.ok(err, 'the client failed');
    assert.equal(toErrorBody(err).error.code, 'unavailable');
  });

  it('a fault of ours is internal (500), and the SDK does not retry it', () => {
    let err: unknown;
    try {
      (undefined as unknown as { x: () => void }).x();
    } catch (e) {
      err = e;
    }
    const body = toErrorBody(err);
    assert.equal(body.error.code, 'internal');
    assert.equal(STATUS[body.error.code], 500);
    assert.doesNotMatch(body.error.message, /undefined|TypeError/, 'no internals in the answer');
    const sdk = errorFromBody(body, 500);
    assert.ok(sdk instanceof InternalError);
    assert.equal(sdk.transient, false);
    // A body-less 500 (a proxy's page) is internal too; a 502 from a proxy is unavailable.
    assert.ok(errorFromBody('<html>', 500) instanceof InternalError);
    assert.ok(errorFromBody('<html>', 502) instanceof UnavailableError);
  });
});
