import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shellCommand, shellQuote } from '../../../src/executors/remote/shell-quote.js';

/** Arguments a shell would love to reinterpret. */
const NASTY = [
  'plain',
  'two words',
  '',
  ' ',
  "it's",
  "''",
  '"double"',
  '$HOME',
  '${HOME}',
  '$(echo injected)',
  '`echo injected`',
  'line one\nline two',
  'tab\there',
  '*',
  '?',
  '[a-z]',
  '~',
  '~root',
  '-n',
  '--',
  'a;b|c&d',
  '>out <in',
  '#comment',
  '\\backslash\\',
  '!event',
  'Ωmega ∑ 😀',
  'trailing\n',
];

const shells = ['/bin/sh', '/bin/bash', '/bin/dash'].filter((shell) => existsSync(shell));

/** What `shell -c COMMAND` passes to its program, as an argv (printf writes each with a NUL). */
function argvThrough(shell: string, args: readonly string[]): string[] {
  const command = shellCommand(['sh', '-c', 'printf "%s\\0" "$@"', 'sh', ...args]);
  const out = execFileSync(shell, ['-c', command], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('shellQuote', () => {
  it('leaves plain words alone and quotes the rest', () => {
    expect(shellQuote('a-b_c/d.e:g,h@i%j+k')).toBe('a-b_c/d.e:g,h@i%j+k');
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });

  it('quotes what would change meaning as the first word: assignments and reserved words', () => {
    expect(shellQuote('A=1')).toBe("'A=1'");
    expect(shellQuote('time')).toBe("'time'");
    for (const shell of shells) {
      // As the command itself: run as programs named so, not as an assignment or a keyword.
      const assignment = execFileSync(
        shell,
        ['-c', `${shellCommand(['A=1', 'env'])} 2>&1 || true`],
        {
          encoding: 'utf8',
        },
      );
      expect(assignment).toMatch(/A=1: (command )?not found|A=1: No such file/);
      expect(argvThrough(shell, ['A=1', 'if', 'time', '!'])).toEqual(['A=1', 'if', 'time', '!']);
    }
  });

  it('refuses NUL, which no argument can hold', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
  });

  it.each(shells)('round-trips every argument unchanged through %s', (shell) => {
    expect(argvThrough(shell, NASTY)).toEqual(NASTY);
  });

  it.each(shells)('round-trips each argument alone through %s', (shell) => {
    for (const arg of NASTY) expect(argvThrough(shell, [arg])).toEqual([arg]);
  });
});
