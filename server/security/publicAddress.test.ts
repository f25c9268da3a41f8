import { describe, expect, it } from 'vitest';
import { addressBytes, isInternalName, judgeAddress, parseAllowedNetworks, parseNetwork } from './publicAddress.js';

const hostOf = (url: string) => new URL(url).hostname;

describe('public addresses: what a webhook may reach', () => {
  it('refuses loopback however it is spelled', () => {
    for (const url of ['http://127.0.0.1/', 'http://127.1/', 'http://2130706433/', 'http://0x7f000001/', 'http://0177.0.0.1/', 'http://127.255.255.254/', 'http://[::1]/', 'http://[::ffff:127.0.0.1]/', 'http://[0:0:0:0:0:ffff:7f00:1]/', 'http://[::127.0.0.1]/']) {
      expect(judgeAddress(hostOf(url), []), url).toBe('blocked');
    }
  });

  it('refuses private, shared, link-local, metadata, multicast, reserved and documentation ranges, v4 and v6', () => {
    const blocked = [
      '0.0.0.0', '0.1.2.3', '10.0.0.1', '10.255.255.255', '100.64.0.1', '100.127.255.254', '169.254.169.254', '172.16.0.1', '172.31.255.255', '192.168.1.1', '192.0.0.8', '192.0.2.1', '198.18.0.1',
      '198.51.100.7', '203.0.113.9', '224.0.0.1', '239.255.255.250', '240.0.0.1', '255.255.255.255', '192.88.99.1',
      '::', '::1', 'fc00::1', 'fd00::1', 'fd12:3456:789a::1', 'fe80::1', 'febf::1', 'fec0::1', 'ff02::1', 'ff0e::1', '100::1', '2001:db8::1', '2001::1', '2001:2::1', '3fff::1',
      '64:ff9b::a00:1', '64:ff9b::7f00:1', '64:ff9b::a9fe:a9fe', '64:ff9b:1::1', '2002:a00:1::1', '2002:7f00:1::', '2002:c0a8:101::1', '::ffff:10.0.0.1', '::ffff:169.254.169.254', '::ffff:0:0',
    ];
    for (const ip of blocked) expect(judgeAddress(ip, []), ip).toBe('blocked');
  });

  it('accepts public unicast, including NAT64 and 6to4 wrappers of a public IPv4 address', () => {
    for (const ip of ['8.8.8.8', '1.1.1.1', '93.184.216.34', '172.32.0.1', '100.128.0.1', '169.255.0.1', '2606:4700:4700::1111', '2a00:1450:4001::1', '64:ff9b::808:808', '2002:808:808::1', '::ffff:8.8.8.8']) {
      expect(judgeAddress(ip, []), ip).toBe('public');
    }
  });

  it('lets the operator allow-list networks, and only those', () => {
    const problems: string[] = [];
    const allowed = parseAllowedNetworks('127.0.0.1, 10.1.0.0/16, fd00::/8', problems);
    expect(problems).toEqual([]);
    expect(judgeAddress('127.0.0.1', allowed)).toBe('allowed');
    expect(judgeAddress('::ffff:127.0.0.1', allowed)).toBe('allowed');
    expect(judgeAddress('127.0.0.2', allowed)).toBe('blocked');
    expect(judgeAddress('10.1.200.3', allowed)).toBe('allowed');
    expect(judgeAddress('10.2.0.1', allowed)).toBe('blocked');
    expect(judgeAddress('fd00:1::5', allowed)).toBe('allowed');
    expect(judgeAddress('8.8.8.8', allowed)).toBe('public');
    parseAllowedNetworks('10.0.0.0/33,nonsense,::1/129', problems);
    expect(problems).toHaveLength(3);
  });

  it('reads addresses into one form', () => {
    expect(addressBytes('::ffff:127.0.0.1')).toEqual(addressBytes('127.0.0.1'));
    expect(addressBytes('[::ffff:7f00:1]')).toEqual(addressBytes('127.0.0.1'));
    expect(addressBytes('fe80::1%eth0')).toBeNull();
    expect(addressBytes('1.2.3')).toBeNull();
    expect(parseNetwork('fc00::/7')!.prefix).toBe(7);
  });

  it('knows names that only mean something inside a network', () => {
    for (const name of ['localhost', 'LOCALHOST.', 'foo.localhost', 'metadata.google.internal', 'metadata', 'printer.local', 'router.home.arpa', 'box.lan']) expect(isInternalName(name), name).toBe(true);
    for (const name of ['hooks.example.com', 'example.com.', 'internal.example.com']) expect(isInternalName(name), name).toBe(false);
  });
});
