import { describe, expect, it } from 'vitest';
import { hostnameOf, isLoopbackHost } from './loopback.js';

describe('isLoopbackHost', () => {
  it('accepts only addresses this machine alone can reach', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', 'app.localhost', '::1', '[::1]', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.2', '10.0.0.1', 'example.com', '128.0.0.1', '::ffff:10.0.0.1', 'localhost.example.com']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });
});

describe('hostnameOf', () => {
  it('strips the port and brackets of a Host header', () => {
    expect(hostnameOf('localhost:7420')).toBe('localhost');
    expect(hostnameOf('127.0.0.1')).toBe('127.0.0.1');
    expect(hostnameOf('[::1]:7420')).toBe('::1');
    expect(hostnameOf('Evil.Example:80')).toBe('evil.example');
    expect(hostnameOf('::1')).toBe('::1');
  });
});
