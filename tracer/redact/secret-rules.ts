// What looks secret, as data: option names that take a secret, the programs whose short flags
// take a password, variable names that hold one, and the shapes of tokens, keys and URLs.
// One place: the redactor reads these; the trace header names the rules that were applied.

/** The rules a redacted trace's header lists (`redaction.rules`). */
export const REDACTION_RULES = {
  env: 'environment values',
  secretOptions: 'values of secret-looking options (--password=..., --token X, -p PW after known programs)',
  assignments: 'values of *TOKEN*, *SECRET*, *PASSWORD*, *API_KEY* ... assignments',
  bearer: 'bearer tokens and basic credentials',
  privateKeys: 'PEM private keys',
  urlPasswords: 'passwords in URLs (scheme://user:password@)',
  homes: "users' home directories",
  users: 'user names',
  seen: 'a value found secret once, wherever it appears later in the trace',
} as const;
export type RedactionRule = keyof typeof REDACTION_RULES;

/** Words in an option's or a variable's name that say its value is secret. */
const SECRET_WORDS = String.raw`password|passwd|passphrase|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|credentials?`;

/** --password=X, --db-password X, --token X, -pass X ... but not --password-stdin, --token-file,
 *  --no-password (they take no secret, or a path to one). */
export const SECRET_OPTION = new RegExp(String.raw`^--?(?!-)(?!no-)(?:[A-Za-z0-9_-]*(?:${SECRET_WORDS})[A-Za-z0-9_-]*|pass)$`, 'i');
const NOT_A_SECRET_VALUE = /-(?:stdin|file|fd|env|path|dir)$/i;
export const takesSecret = (option: string) => SECRET_OPTION.test(option) && !NOT_A_SECRET_VALUE.test(option);

/** Short flags whose next argument is a password, for the programs that use them so. `attached`:
 *  the password may be glued to the flag (mysql -pPASSWORD). */
export const PROGRAM_PASSWORD_FLAGS: readonly { readonly programs: readonly string[]; readonly flags: readonly string[]; readonly attached?: boolean }[] = [
  // `login -p PASSWORD`
  { programs: ['docker', 'podman', 'nerdctl', 'buildah', 'skopeo', 'helm', 'oras', 'crane', 'regctl'], flags: ['-p'] },
  { programs: ['sshpass'], flags: ['-p'] },
  { programs: ['mysql', 'mysqldump', 'mysqladmin', 'mariadb', 'mariadb-dump'], flags: ['-p'], attached: true },
  { programs: ['redis-cli'], flags: ['-a'] },
  // user:password
  { programs: ['curl'], flags: ['-u', '--user', '-U', '--proxy-user'] },
  { programs: ['smbclient'], flags: ['-U'] },
  { programs: ['openssl'], flags: ['-passin', '-passout', '-pass', '-k'] },
];

/** Each regex marks the secret with a group named `secret`; the rest of the match stays. */
export const STRING_RULES: readonly { readonly rule: RedactionRule; readonly pattern: RegExp }[] = [
  { rule: 'privateKeys', pattern: /(?<secret>-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|$))/g },
  { rule: 'urlPasswords', pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:(?<secret>[^\s/@]+)@/gi },
  { rule: 'bearer', pattern: /\b(?:Bearer\s+|Authorization:\s*Basic\s+)(?<secret>[A-Za-z0-9._~+/=-]+)/gi },
  // --password=X and --password X inside a longer string (a shell's -c script, a config write)
  {
    rule: 'secretOptions',
    pattern: new RegExp(String.raw`(?<![A-Za-z0-9_-])--?(?!-)(?!no-)[A-Za-z0-9_-]*(?:${SECRET_WORDS})(?![A-Za-z0-9_-]*-(?:stdin|file|fd|env|path|dir)\b)[A-Za-z0-9_-]*(?:=|\s+)(?<secret>"[^"]*"|'[^']*'|[^\s"';&|]+)`, 'gi'),
  },
  {
    rule: 'secretOptions',
    pattern: new RegExp(
      String.raw`(?:^|[\s/])(?:${PROGRAM_PASSWORD_FLAGS.flatMap((entry) => entry.programs).join('|')})\s(?:[^\n;|&]*?\s)?(?:${[...new Set(PROGRAM_PASSWORD_FLAGS.flatMap((entry) => entry.flags))].join('|')})(?:\s+|=)(?<secret>[^\s;|&]+)`,
      'g',
    ),
  },
  // API_TOKEN=X, db_password: X, "secret":"X"
  {
    rule: 'assignments',
    pattern: new RegExp(String.raw`(?<![A-Za-z0-9_])(?:[A-Za-z_][A-Za-z0-9_.-]*?)?(?:${SECRET_WORDS})[A-Za-z0-9_]*"?\s*[=:]\s*"?(?<secret>'[^']*'|[^\s"',;&|}]+)`, 'gi'),
  },
];
