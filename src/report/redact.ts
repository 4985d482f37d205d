/**
 * Secrets in URLs: a webhook URL may carry credentials (`https://user:pass@host/`) or a
 * token in its query string, and an error message from fetch or nodemailer may quote
 * it. Anything printed or stored (the outbox's last error, a config error) goes through
 * here first.
 */

// scheme, user[:password]@, host, path, ?query — stopping at quotes and brackets, so a
// URL quoted in a message keeps its closing quote, and a query its trailing colon.
const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@"'<>]*@)?([^\s/?#"'<>]*)([^\s?#"'<>]*)(\?(?:[^\s#"'<>]*[^\s#"'<>:.,;)\]])?)?/gi;

/** Every URL in TEXT with its user, password and query string replaced by `***`. */
export function redactUrls(text: string): string {
  return text.replace(URL_IN_TEXT, (_all, scheme: string, userinfo: string | undefined, host: string, pathname: string, query: string | undefined) => {
    const credentials = userinfo ? (userinfo.slice(0, -1).includes(':') ? '***:***@' : '***@') : '';
    return `${scheme}${credentials}${host}${pathname}${query ? '?***' : ''}`;
  });
}
