import { InputError } from '../../core/errors.js';

/**
 * Quoting for POSIX shells, the one place where a shell string may contain user data.
 *
 * Remote commands cross a login shell (sshd runs `$SHELL -c STRING`), so argv arrays are turned
 * into a string here and only here: each argument in single quotes, a single quote inside
 * written as `'\''`. Every byte other than `'` is literal inside single quotes in every POSIX
 * shell, so the remote process receives exactly the arguments given. NUL cannot be passed in
 * an argument at all and is refused.
 */
export function shellQuote(arg: string): string {
  if (arg.includes('\0')) throw new InputError('argv', 'an argument cannot contain a NUL byte');
  // Bare only when the word can mean nothing else, also as a command's first word: no `=`
  // (an assignment there), no reserved word (`if`, `time` …).
  if (/^[\w@%+:,./-]+$/.test(arg) && !RESERVED.has(arg)) return arg;
  return `'${arg.replaceAll("'", "'\\''")}'`;
}

const RESERVED = new Set([
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'case',
  'esac',
  'for',
  'while',
  'until',
  'do',
  'done',
  'in',
  'function',
  'select',
  'time',
  '{',
  '}',
  '!',
  '[[',
  ']]',
]);

/** A whole argv as one shell command line. */
export function shellCommand(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}
