/** Number formatting for the benchmark reports. MB = 10^6 bytes; RSS is shown in MiB. */

export const int = (n: number): string => Math.round(n).toLocaleString('en-US');
export const fixed = (n: number, digits = 2): string => n.toFixed(digits);
export const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
export const mibFromKb = (kb: number): number => kb / 1024;

export function padRight(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

export function padLeft(text: string, width: number): string {
  return text.length >= width ? text : ' '.repeat(width - text.length) + text;
}

/** Last few non-empty lines of a child's output, indented, for failure messages. */
export function tail(text: string, lines = 8): string {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-lines)
    .map((l) => `      | ${l}`)
    .join('\n');
}
