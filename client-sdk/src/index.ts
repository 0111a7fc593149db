// @charcha/client: the core with socket.io-client's `io` filled in.
import { io as socketIo } from 'socket.io-client';
import { CharchaClient, type ClientOptions } from './client';

export * from './core';

/** A client for one site; see ClientOptions. Pass `io` to use another socket.io-client. */
export function createClient(options: ClientOptions): CharchaClient {
  return new CharchaClient({ io: socketIo, ...options });
}
