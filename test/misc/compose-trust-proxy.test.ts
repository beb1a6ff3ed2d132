/**
 * compose.yaml's LOA_TRUST_PROXY against the network it defines. It named the Caddy container
 * alone, and `.env` cannot change it (compose's `environment:` wins): behind an nginx on the
 * server itself (docs/deploy.md B3, without the proxy profile), whose connections to
 * 127.0.0.1:3000 reach the container from the network's gateway, X-Forwarded-For was never
 * believed and every visitor was the gateway's one address to Loa.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseTrustProxy } from '../../src/config.js';

interface Compose {
  services: Record<string, { environment?: Record<string, string>; ports?: string[]; networks?: Record<string, { ipv4_address?: string }> }>;
  networks: Record<string, { ipam: { config: { subnet: string }[] } }>;
}

const compose = parse(readFileSync(new URL('../../compose.yaml', import.meta.url), 'utf8')) as Compose;

describe('compose.yaml: the proxies Loa believes', () => {
  const trusted = parseTrustProxy(compose.services.loa!.environment!.LOA_TRUST_PROXY);
  const subnet = compose.networks.loa!.ipam.config[0]!.subnet;
  const gateway = subnet.replace(/\.0\/\d+$/, '.1');

  it('the Caddy container, and the gateway a proxy on the server comes from', () => {
    expect(trusted.ok).toBe(true);
    const list = trusted.ok ? trusted.list : [];
    expect(list).toContain(compose.services.caddy!.networks!.loa!.ipv4_address);
    expect(gateway).toMatch(/^\d+\.\d+\.\d+\.1$/);
    expect(list).toContain(gateway);
    // Nothing broader: the whole network or everything would let a container forge addresses.
    expect(list.every((e) => !e.includes('/') && !['loopback', 'uniquelocal', 'linklocal'].includes(e))).toBe(true);
  });

  it('trusting the gateway is safe only while Loa\'s port is published on 127.0.0.1 alone', () => {
    expect(compose.services.loa!.ports).toEqual(['127.0.0.1:3000:3000']);
  });
});
