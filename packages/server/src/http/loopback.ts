import { isIP } from 'node:net';

/**
 * True for names and addresses that only this machine can reach: `localhost`,
 * 127.0.0.0/8, `::1` and IPv4-mapped loopback (`::ffff:127.0.0.1`). `0.0.0.0` and `::`
 * (every interface) are not loopback.
 */
export function isLoopbackHost(host: string): boolean {
  const name = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const lower = name.toLowerCase();
  if (lower === 'localhost' || lower.endsWith('.localhost')) return true;
  const version = isIP(lower);
  if (version === 4) return lower.startsWith('127.');
  if (version === 6) return lower === '::1' || /^(?:0{0,4}:){5}ffff:127\./u.test(lower) || lower.startsWith('::ffff:127.');
  return false;
}

/** The host name of a `Host` header (`[::1]:7420` → `::1`, `localhost:80` → `localhost`). */
export function hostnameOf(hostHeader: string): string {
  if (hostHeader.startsWith('[')) {
    const end = hostHeader.indexOf(']');
    return (end === -1 ? hostHeader.slice(1) : hostHeader.slice(1, end)).toLowerCase();
  }
  const colon = hostHeader.lastIndexOf(':');
  // More than one colon without brackets: a bare IPv6 address, no port.
  if (colon !== -1 && hostHeader.indexOf(':') === colon) return hostHeader.slice(0, colon).toLowerCase();
  return hostHeader.toLowerCase();
}
