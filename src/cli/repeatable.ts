/** Commander's accumulator for an option given several times (`--policy a --policy b`). */
export function repeatable(value: string, previous: string[]): string[] {
  return [...previous, value];
}
