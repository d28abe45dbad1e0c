import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RawClient } from '../helpers/resp';
import { type Running, startRedoubt } from '../helpers/servers';

describe('WATCH across clients', () => {
  let srv: Running;
  before(async () => {
    srv = await startRedoubt();
  });
  after(async () => {
    await srv.stop();
  });

  it("another client's write aborts EXEC; an untouched watch lets it run", async () => {
    const a = await RawClient.connect({ port: srv.port });
    const b = await RawClient.connect({ port: srv.port });
    await a.raw('SET', 'bal', '10');
    await a.raw('WATCH', 'bal');
    await b.raw('INCRBY', 'bal', '5');
    await a.raw('MULTI');
    await a.raw('SET', 'bal', '0');
    assert.equal((await a.raw('EXEC')).toString(), '*-1\r\n');
    assert.equal((await a.raw('GET', 'bal')).toString(), '$2\r\n15\r\n');
    await a.raw('WATCH', 'bal');
    await b.raw('SET', 'other', '1');
    await a.raw('MULTI');
    await a.raw('SET', 'bal', '0');
    assert.equal((await a.raw('EXEC')).toString(), '*1\r\n+OK\r\n');
    a.close();
    b.close();
  });

  it('a watched key that expires aborts EXEC', async () => {
    const a = await RawClient.connect({ port: srv.port });
    await a.raw('SET', 'ttlkey', 'v', 'PX', '100');
    await a.raw('WATCH', 'ttlkey');
    await new Promise((r) => setTimeout(r, 200));
    await a.raw('MULTI');
    await a.raw('PING');
    assert.equal((await a.raw('EXEC')).toString(), '*-1\r\n');
    a.close();
  });

  it('RESET discards the transaction and the watches', async () => {
    const a = await RawClient.connect({ port: srv.port });
    const b = await RawClient.connect({ port: srv.port });
    await a.raw('WATCH', 'r');
    await a.raw('MULTI');
    await a.raw('SET', 'r', '1');
    assert.equal((await a.raw('RESET')).toString(), '+RESET\r\n');
    assert.equal((await a.raw('EXEC')).toString(), '-ERR EXEC without MULTI\r\n');
    await b.raw('SET', 'r', '2');
    await a.raw('MULTI');
    assert.equal((await a.raw('EXEC')).toString(), '*0\r\n');
    a.close();
    b.close();
  });
});
