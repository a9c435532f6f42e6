/** Text for a LIKE or ILIKE pattern, with its wildcards (and the escape character) taken literally. */
export function likeEscaped(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`)
}

/** A LIKE or ILIKE pattern matching values that contain the text. */
export function containsPattern(text: string): string {
  return `%${likeEscaped(text)}%`
}
