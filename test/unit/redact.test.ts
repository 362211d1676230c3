// The redactor on its own: each rule on the strings it is meant for (and not on their
// look-alikes), stable placeholders within a trace, different ones across traces, the header's note.
import { describe, expect, it } from 'vitest';
import { localIdentity } from '../../tracer/redact/local-identity.js';
import { Redactor } from '../../tracer/redact/redactor.js';
import type { SyscallRecord, TraceHeader } from '../../tracer/trace/records.js';

const PLACEHOLDER = /<redacted:[0-9a-f]{4}>/;
const nobody = { users: [], homes: [] };
const redactor = (settings: Partial<ConstructorParameters<typeof Redactor>[0]> = {}) => new Redactor({ identity: nobody, patterns: [], ...settings });

function execve(argv: string[], envp: string[] | string = '0x7ffd1000'): SyscallRecord {
  return { type: 'syscall', t: 1, pid: 10, name: 'execve', nr: 59, args: { filename: '/usr/bin/x', argv, envp }, ret: 0, err: null, dur: 1, raw: [], family: 'exec' };
}

describe('redactor', () => {
  it('redacts the values of secret options, whole arguments or glued, and leaves their names', () => {
    const r = redactor();
    const argv = r.redactArgv(['app', '--password=hunter22', '--token', 'tok-123456', '--db-password', 'pw1', '-v', 'keep', '--password-stdin', 'registry.local', '--no-password', 'alpine']);
    expect(argv[0]).toBe('app');
    expect(argv[1]).toMatch(/^--password=<redacted:[0-9a-f]{4}>$/);
    expect(argv[2]).toBe('--token');
    expect(argv[3]).toMatch(PLACEHOLDER);
    expect(argv[5]).toMatch(PLACEHOLDER);
    expect(argv.slice(6)).toEqual(['-v', 'keep', '--password-stdin', 'registry.local', '--no-password', 'alpine']);
    expect(JSON.stringify(argv)).not.toMatch(/hunter22|tok-123456|pw1/);
  });

  it("redacts -p PW only after a program that takes a password so, and mysql's glued -pPW", () => {
    const r = redactor();
    expect(r.redactArgv(['docker', 'login', '-u', 'me', '-p', 'S3cret!', 'reg'])[5]).toMatch(PLACEHOLDER);
    expect(r.redactArgv(['sudo', 'sshpass', '-p', 'pw0rd', 'ssh', 'host'])[3]).toMatch(PLACEHOLDER);
    expect(r.redactArgv(['mysql', '-uroot', '-pGluedPw'])[2]).toMatch(/^-p<redacted:[0-9a-f]{4}>$/);
    expect(r.redactArgv(['mkdir', '-p', '/tmp/a'])).toEqual(['mkdir', '-p', '/tmp/a']);
    expect(r.redactArgv(['curl', '-u', 'me:pa55', 'https://x'])[2]).toMatch(PLACEHOLDER);
    // inside a shell script string
    expect(r.redactString('docker login -p Zz9secret registry && echo ok')).toMatch(/^docker login -p <redacted:[0-9a-f]{4}> registry && echo ok$/);
  });

  it('redacts assignments, bearer tokens, private keys and URL passwords in any string', () => {
    const r = redactor();
    const text = [
      'export API_TOKEN=abc.def-123 GITHUB_TOKEN="ghp_xyz" db_password: opensesame PATH=/usr/bin password=plainpw',
      'curl -H "Authorization: Bearer eyJhbGciOi.payload.sig" https://api',
      'Authorization: Basic dXNlcjpwYXNz',
      'postgres://alice:pgpass@db:5432/app and https://example.org/path',
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nAAAA\n-----END RSA PRIVATE KEY-----\ntail',
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNz cut here',
    ].join('\n');
    const out = r.redactString(text);
    for (const secret of ['plainpw', 'abc.def-123', 'ghp_xyz', 'opensesame', 'eyJhbGciOi', 'dXNlcjpwYXNz', 'pgpass', 'MIIEow', 'b3BlbnNz']) expect(out).not.toContain(secret);
    expect(out).toContain('PATH=/usr/bin');
    expect(out).toContain('https://example.org/path');
    expect(out).toMatch(/postgres:\/\/alice:<redacted:[0-9a-f]{4}>@db:5432\/app/);
    expect(out).toMatch(/Bearer <redacted:[0-9a-f]{4}>/);
    expect(out).toMatch(/<redacted:[0-9a-f]{4}>\ntail/);
  });

  it('searches bytes that were not UTF-8 ({hex}) too: a secret beside a binary byte does not survive', () => {
    const r = redactor();
    const secret = Buffer.concat([Buffer.from('API_TOKEN=abc123secret\n'), Buffer.from([0xff, 0x00])]);
    const write: SyscallRecord = { type: 'syscall', t: 1, pid: 10, name: 'write', nr: 1, args: { fd: 3, buf: { hex: secret.toString('hex') }, count: secret.length }, ret: secret.length, err: null, dur: 1, raw: [], family: 'files' };
    const out = JSON.stringify(r.record(write));
    expect(out).not.toContain('abc123secret');
    expect(out).not.toContain(Buffer.from('abc123secret').toString('hex'));
    expect(out).toMatch(PLACEHOLDER);
    // bytes with nothing secret in them stay as they were, exactly
    const plain = { ...write, args: { ...write.args, buf: { hex: 'ff00' } } };
    expect((r.record(plain) as SyscallRecord).args.buf).toEqual({ hex: 'ff00' });
  });

  it("redacts the user's home and name, not root's, not lookalike words", () => {
    const passwd = 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\nalice:x:1000:1000::/home/alice:/bin/bash\n';
    const identity = localIdentity({ HOME: '/root', USER: 'root', SUDO_USER: 'alice' }, passwd);
    expect(identity).toEqual({ users: ['alice'], homes: ['/home/alice'] });
    const r = redactor({ identity });
    const out = r.redactString('/home/alice/src/app --user alice --rootfs /root/x malice alice.txt');
    expect(out).toMatch(/^<redacted:[0-9a-f]{4}>\/src\/app --user <redacted:[0-9a-f]{4}> --rootfs \/root\/x malice <redacted:[0-9a-f]{4}>\.txt$/);
    expect(localIdentity({ HOME: '/home/bob', USER: 'bob' }, '')).toEqual({ users: ['bob'], homes: ['/home/bob'] });
  });

  it('takes --redact-pattern matches (or their group "secret")', () => {
    const r = redactor({ patterns: [/proj-[0-9]+/, /id=(?<secret>\w+)/] });
    expect(r.redactString('build proj-4242 with id=zzz9')).toMatch(/^build <redacted:[0-9a-f]{4}> with id=<redacted:[0-9a-f]{4}>$/);
  });

  it('gives the same placeholder to the same value within a trace, and remembers a secret wherever it reappears', () => {
    const r = redactor();
    const [, first] = r.redactArgv(['x', '--password=samesecret']);
    const again = r.redactString('API_KEY=samesecret');
    expect(first!.slice('--password='.length)).toBe(again.slice('API_KEY='.length));
    // found once: later, bare, it is still redacted
    expect(r.redactString('echo samesecret > /tmp/f')).toBe(`echo ${again.slice('API_KEY='.length)} > /tmp/f`);
    // another trace (another key): another placeholder for most values
    const others = new Set(Array.from({ length: 8 }, () => redactor().placeholder('samesecret')));
    expect(others.size).toBeGreaterThan(1);
  });

  it('redacts execve: argv, every environment value (names kept), and notes what it did in the header', () => {
    const r = redactor();
    const header = r.header({ command: ['app', '--token', 'T0ken99'], image: null, filter: { mode: 'seccomp', expression: 'default', caveats: [] } } as unknown as TraceHeader);
    expect(header.command[2]).toMatch(PLACEHOLDER);
    expect(header.redaction).toEqual({ rules: ['assignments', 'bearer', 'env', 'privateKeys', 'secretOptions', 'seen', 'urlPasswords'], patterns: 0 });
    const record = r.record(execve(['app', '--token', 'T0ken99'], ['HOME=/home/x', 'EMPTY=', 'TERM=xterm'])) as SyscallRecord;
    expect(record.args.argv).toEqual(['app', '--token', header.command[2]]);
    expect(record.args.envp).toEqual([expect.stringMatching(/^HOME=<redacted:[0-9a-f]{4}>$/), expect.stringMatching(/^EMPTY=<redacted/), expect.stringMatching(/^TERM=<redacted/)]);
    // an environment value is not remembered as a secret: HOME=/home/x leaves other /home/x alone
    expect(r.redactString('/home/x/file')).toBe('/home/x/file');
    // an unread envp (no --env) is a pointer: nothing to redact
    expect((r.record(execve(['app'])) as SyscallRecord).args.envp).toBe('0x7ffd1000');
  });
});
