// Shorter C++ names for terminal reports, as heaptrack_print -t shortens them: template arguments and argument lists
// are elided ("std::vector<…>::_M_realloc_insert<…>(…)"), since a demangled name can run to 700 characters.
// Only names that are C++ (qualified with "::") are touched: a JavaScript label's "(file:line)" stays, and so does
// anything in a function's own name. `--wide` and the JSON, CSV and export formats keep full names.

const ELIDED = "…";

/** The name with its template arguments and argument lists elided; other names as they are. */
export function shortName(label: string): string {
  if (!label.includes("::")) return label;
  let out = "";
  let angle = 0;
  let paren = 0;
  for (let i = 0; i < label.length; i++) {
    const c = label[i];
    if (angle === 0 && paren === 0) {
      // "operator<", "operator()" and "operator<<" are names, not brackets.
      if ((c === "<" || c === "(") && /operator\s*$/.test(out)) {
        out += c;
        continue;
      }
      if (c === "<" && /[\w:]$/.test(out)) {
        angle = 1;
        out += `<${ELIDED}`;
        continue;
      }
      // An argument list follows a name or a template; "(anonymous namespace)" and " (file)" do not.
      if (c === "(" && (/[\w>]$/.test(out) || /operator[^\w\s(]+$/.test(out)) && label[i + 1] !== ")") {
        paren = 1;
        out += `(${ELIDED}`;
        continue;
      }
      out += c;
      continue;
    }
    if (c === "<" && paren === 0) angle++;
    else if (c === ">" && paren === 0) angle--;
    else if (c === "(") paren++;
    else if (c === ")") paren--;
    if (angle === 0 && paren === 0) out += c;
  }
  // Unbalanced brackets (a name cut short): the name as it was.
  return angle === 0 && paren === 0 ? out : label;
}

/** How a terminal report writes names: elided unless --wide. */
export function nameStyle(wide: boolean | undefined): (label: string) => string {
  return wide ? (label) => label : shortName;
}
