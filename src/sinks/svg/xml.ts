// Text from a capture (function names, file paths, command lines) placed in XML. A capture is untrusted input: a
// function can be named `</text><script>`, and it must show as those characters, never become markup. Everything
// that goes into the SVG's text or attributes passes through `xml()`.

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  // Kept as references so that attribute values keep them (a parser turns a raw tab or newline there into a space).
  "\t": "&#9;",
  "\n": "&#10;",
  "\r": "&#13;",
};

// Characters XML 1.0 cannot hold at all, not even as references: C0 controls other than tab, LF and CR, lone
// surrogates, U+FFFE and U+FFFF. They become U+FFFD, the replacement character, as a UTF-8 decoder would show them.
const FORBIDDEN =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Escapes text for XML character data and attribute values (single- or double-quoted). */
export function xml(text: string): string {
  return text.replace(FORBIDDEN, "\ufffd").replace(/[&<>"'\t\n\r]/g, (c) => ENTITIES[c]);
}
