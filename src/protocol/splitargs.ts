// Redis's argument splitting (sdssplitargs): used for inline commands and config-file lines.
// Double quotes understand \n \r \t \b \a \\ \" \xHH; single quotes understand only \'.
// A closing quote must be followed by whitespace or the end of the line.
// Works on latin1 strings so that every byte maps to one char (binary safe).

function isSpace(c: number): boolean {
  // C isspace(): space, \t, \n, \v, \f, \r
  return c === 32 || (c >= 9 && c <= 13);
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Returns the arguments, or null when quotes are unbalanced (or a quote is not followed by a space). */
export function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  const n = line.length;
  let p = 0;
  for (;;) {
    while (p < n && isSpace(line.charCodeAt(p))) p++;
    if (p >= n) return out;
    let inq = false; // inside "double quotes"
    let insq = false; // inside 'single quotes'
    let done = false;
    let cur = '';
    while (!done) {
      if (inq) {
        if (p >= n) return null; // unterminated quotes
        const c = line.charCodeAt(p);
        if (c === 92 /* \ */ && p + 3 < n && line.charCodeAt(p + 1) === 120 /* x */) {
          const h = hexVal(line.charCodeAt(p + 2));
          const l = hexVal(line.charCodeAt(p + 3));
          if (h >= 0 && l >= 0) {
            cur += String.fromCharCode(h * 16 + l);
            p += 3;
            p++;
            continue;
          }
        }
        if (c === 92 && p + 1 < n) {
          p++;
          const e = line.charCodeAt(p);
          switch (e) {
            case 110:
              cur += '\n';
              break;
            case 114:
              cur += '\r';
              break;
            case 116:
              cur += '\t';
              break;
            case 98:
              cur += '\b';
              break;
            case 97:
              cur += '\x07';
              break;
            default:
              cur += line[p];
          }
        } else if (c === 34 /* " */) {
          // closing quote must be followed by a space or nothing at all
          if (p + 1 < n && !isSpace(line.charCodeAt(p + 1))) return null;
          done = true;
        } else {
          cur += line[p];
        }
      } else if (insq) {
        if (p >= n) return null;
        const c = line.charCodeAt(p);
        if (c === 92 && p + 1 < n && line.charCodeAt(p + 1) === 39) {
          p++;
          cur += "'";
        } else if (c === 39) {
          if (p + 1 < n && !isSpace(line.charCodeAt(p + 1))) return null;
          done = true;
        } else {
          cur += line[p];
        }
      } else {
        if (p >= n) {
          done = true;
          break;
        }
        const c = line.charCodeAt(p);
        if (isSpace(c)) {
          done = true;
        } else if (c === 34) {
          inq = true;
        } else if (c === 39) {
          insq = true;
        } else {
          cur += line[p];
        }
      }
      if (p < n) p++;
    }
    out.push(cur);
  }
}
