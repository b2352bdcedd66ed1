// A minimal k6: sleep and check, enough for an exported script.
export function sleep(_seconds: number): void {}
export function check<T>(value: T, sets: Record<string, (v: T) => boolean>): boolean {
  return Object.values(sets).every((f) => f(value));
}
