// Response headers: a strict Content-Security-Policy (no inline script, nothing from other hosts,
// sockets only to this server), no framing, no sniffing, no referrer, and no CORS headers at all.
export function securityHeaders(port: number): Record<string, string> {
  const csp = [
    "default-src 'self'",
    // compiling WebAssembly (the loader's line scanner) and nothing else: no eval, no inline script
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'none'",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}
