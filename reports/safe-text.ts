// Strings from results.json reach reports only through here: markup is escaped and any URL is cut
// down to where it points, so a connection string (and its password) never lands in a report.
import { describeUrl } from '../harness/redact.ts';

const URL_RE = /\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>]+/gi;

/** Replaces every scheme://… in the text with scheme://host:port/db, no credentials, no query. */
export function stripUrls(text: string): string {
  return text.replace(URL_RE, (url) => {
    const scheme = url.slice(0, url.indexOf('://'));
    return `${scheme}://${describeUrl(url)}`;
  });
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for HTML content or a quoted attribute value. */
export function escapeHtml(value: unknown): string {
  return stripUrls(String(value ?? '')).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** JSON that is safe inside a <script> element: no `</script>`, no `<!--`, no line separators. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? stripUrls(v) : v))
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Text for a Markdown table cell or line: no pipes or line breaks that would break the table. */
export function escapeMarkdown(value: unknown): string {
  return stripUrls(String(value ?? ''))
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'))
    .replace(/\r?\n/g, ' ');
}

/** Text for inside a Markdown `code span` in a table: entities would show literally there, so
 *  only what breaks the span or the table is changed. */
export function escapeMarkdownCode(value: unknown): string {
  return stripUrls(String(value ?? ''))
    .replace(/`/g, "'")
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ');
}
