// Non-loopback peers, simulated with two network namespaces this test creates itself and
// joins with a veth pair (192.0.2.0/24, the documentation range; nothing leaves the machine).

import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { BIN, freePort, tmpDir } from '../helpers/servers';

const tag = String(process.pid % 100000);
const NS_SRV = `rdsrv${tag}`;
const NS_CLI = `rdcli${tag}`;
const SRV_IP = '192.0.2.1';
const CLI_IP = '192.0.2.2';

function sh(cmd: string): { status: number | null; out: string } {
  const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8', timeout: 15000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function canNetns(): boolean {
  const probe = `rdprobe${tag}`;
  const r = sh(`ip netns add ${probe} && ip netns del ${probe}`);
  return r.status === 0;
}

const available = canNetns();

/** Starts redoubt inside the server namespace; resolves when ready. */
async function startInNs(args: string[]): Promise<{ stop: () => Promise<void>; output: () => string }> {
  const port = await freePort();
  void port;
  const proc = spawn('ip', ['netns', 'exec', NS_SRV, process.execPath, BIN, '--dir', tmpDir(), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d) => {
    out += d;
  });
  proc.stderr.on('data', (d) => {
    out += d;
  });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no start: ${out}`)), 15000);
    const check = () => {
      if (out.includes('Ready to accept connections')) {
        clearTimeout(t);
        resolve();
      }
    };
    proc.stdout.on('data', check);
    proc.once('exit', (c) => {
      clearTimeout(t);
      reject(new Error(`exited ${c}: ${out}`));
    });
  });
  return {
    output: () => out,
    stop: () =>
      new Promise((resolve) => {
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

function cliFromOutside(port: number, ...cmd: string[]): string {
  return sh(`ip netns exec ${NS_CLI} redis-cli -h ${SRV_IP} -p ${port} ${cmd.join(' ')}`).out;
}

describe('non-loopback peers (network namespaces)', {
  skip: !available && 'cannot create network namespaces here',
}, () => {
  before(() => {
    const v1 = `rdv${tag}a`;
    const v2 = `rdv${tag}b`;
    const steps = [
      `ip netns add ${NS_SRV}`,
      `ip netns add ${NS_CLI}`,
      `ip link add ${v1} type veth peer name ${v2}`,
      `ip link set ${v1} netns ${NS_SRV}`,
      `ip link set ${v2} netns ${NS_CLI}`,
      `ip -n ${NS_SRV} addr add ${SRV_IP}/24 dev ${v1}`,
      `ip -n ${NS_CLI} addr add ${CLI_IP}/24 dev ${v2}`,
      `ip -n ${NS_SRV} link set ${v1} up`,
      `ip -n ${NS_CLI} link set ${v2} up`,
      `ip -n ${NS_SRV} link set lo up`,
      `ip -n ${NS_CLI} link set lo up`,
    ];
    for (const s of steps) {
      const r = sh(s);
      assert.equal(r.status, 0, `${s}: ${r.out}`);
    }
  });
  after(() => {
    sh(`ip netns del ${NS_SRV}`);
    sh(`ip netns del ${NS_CLI}`);
  });

  it('protected mode: no password → remote peers get DENIED, loopback is served', async () => {
    const port = 16379;
    const srv = await startInNs(['--port', String(port), '--bind', SRV_IP, '127.0.0.1']);
    try {
      const remote = cliFromOutside(port, 'ping');
      assert.match(remote, /DENIED redoubt is running in protected mode/);
      assert.ok(!remote.includes('PONG'));
      const local = sh(`ip netns exec ${NS_SRV} redis-cli -p ${port} ping`).out;
      assert.match(local, /PONG/);
    } finally {
      await srv.stop();
    }
  });

  it('with a password, remote peers may connect but must authenticate', async () => {
    const port = 16380;
    const srv = await startInNs(['--port', String(port), '--bind', SRV_IP, '--requirepass', 'remote-pw']);
    try {
      assert.match(cliFromOutside(port, 'ping'), /NOAUTH/);
      assert.match(cliFromOutside(port, '--no-auth-warning', '-a', 'remote-pw', 'ping'), /PONG/);
    } finally {
      await srv.stop();
    }
  });

  it('allow-from rejects a remote peer outside the list, before reading anything', async () => {
    const port = 16381;
    const srv = await startInNs([
      '--port',
      String(port),
      '--bind',
      SRV_IP,
      '--requirepass',
      'pw',
      '--allow-from',
      '192.0.2.200/32',
    ]);
    try {
      const out = cliFromOutside(port, '--no-auth-warning', '-a', 'pw', 'ping');
      assert.ok(!out.includes('PONG'), out);
      for (let i = 0; i < 50 && !/Rejected connection/.test(srv.output()); i++)
        await new Promise((r) => setTimeout(r, 50));
      assert.match(srv.output(), /Rejected connection from 192\.0\.2\.2: not in allow-from/);
    } finally {
      await srv.stop();
    }
  });
});
