/** `--set NAME=VALUE` of the workflow commands, repeatable: every value in order. */
export function collectSet(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
