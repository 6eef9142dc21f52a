/**
 * Text from the patient record (a condition's display, a free-text code) is data, not markup: escaped, so an EHR
 * or patient-portal entry such as `![x](https://tracker)` cannot put an image, link or table into a card.
 */
export function escapeMarkdown(text: string): string {
  // Newlines are folded first, so nothing can start a line (headings, lists); inline markup is escaped.
  return text.replace(/\s+/g, ' ').replace(/[\\`*_[\]<>|~]/g, '\\$&');
}
