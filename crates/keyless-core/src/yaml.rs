//! A small YAML emitter for the workflow: block mappings and sequences, comments,
//! and scalars that are always safe.
//!
//! Every string is written as a JSON string literal (serde_json), which is also a
//! valid YAML double-quoted scalar: no value can become a number, a boolean,
//! `null`, an anchor, an alias, a tag, a comment or a new key, whatever it
//! contains. Keys are written plain only when they are simple identifiers.
//! Comments are forced onto one line. No YAML library ships in the wasm build
//! (issue 7); the tests parse the output back with serde-saphyr.

/// A YAML value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// A string, always double-quoted.
    Str(String),
    /// `true` or `false`.
    Bool(bool),
    /// A whole number.
    Int(u64),
    /// A block mapping, in the given order; empty renders as `{}`.
    Map(Vec<Entry>),
    /// A block sequence; empty renders as `[]`.
    Seq(Vec<Node>),
}

/// One key of a mapping, with the comments that explain it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The key.
    pub key: String,
    /// The value.
    pub value: Node,
    /// Comment lines written above the key.
    pub comments: Vec<String>,
    /// A comment at the end of the key's line (scalars only).
    pub trailing: Option<String>,
    /// Write an empty line above (and above its comments).
    pub blank_before: bool,
}

impl Entry {
    /// An entry without comments.
    pub fn new(key: &str, value: Node) -> Entry {
        Entry::new_owned(key.to_string(), value)
    }

    /// An entry without comments, its key already owned.
    pub fn new_owned(key: String, value: Node) -> Entry {
        Entry {
            key,
            value,
            comments: Vec::new(),
            trailing: None,
            blank_before: false,
        }
    }

    /// Adds comment lines above the entry.
    pub fn comment(mut self, lines: &[&str]) -> Entry {
        self.comments.extend(lines.iter().map(|l| l.to_string()));
        self
    }

    /// Adds a comment at the end of the line.
    pub fn trailing(mut self, text: &str) -> Entry {
        self.trailing = Some(text.to_string());
        self
    }

    /// Puts an empty line above the entry.
    pub fn blank(mut self) -> Entry {
        self.blank_before = true;
        self
    }
}

/// Shorthand for [`Node::Str`].
pub fn s(text: impl Into<String>) -> Node {
    Node::Str(text.into())
}

/// Renders a document: header comment lines, then the root mapping.
pub fn render(header: &[String], root: &[Entry]) -> String {
    // One buffer for the whole document: the template is about 15 KB, the
    // workflow about 8 KB.
    let mut out = String::with_capacity(16 * 1024);
    for line in header {
        push_comment(&mut out, 0, line);
    }
    if !header.is_empty() {
        out.push('\n');
    }
    emit_map(&mut out, root, 0, false);
    out
}

/// A scalar as it appears after `key: ` or `- `.
pub fn scalar(node: &Node) -> Option<String> {
    let mut out = String::new();
    push_scalar(&mut out, node).then_some(out)
}

/// Appends `node` as it appears after `key: ` or `- ` and returns true, or
/// returns false (appending nothing) for a non-empty mapping or sequence.
fn push_scalar(out: &mut String, node: &Node) -> bool {
    match node {
        Node::Str(text) => push_quoted(out, text),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Int(n) => push_int(out, *n),
        Node::Map(entries) if entries.is_empty() => out.push_str("{}"),
        Node::Seq(items) if items.is_empty() => out.push_str("[]"),
        Node::Map(_) | Node::Seq(_) => return false,
    }
    true
}

/// Appends a whole number in decimal.
fn push_int(out: &mut String, n: u64) {
    use std::fmt::Write;
    write!(out, "{n}").expect("a String takes any text");
}

/// A string as a JSON string literal, which YAML reads as the same string.
pub fn quote(text: &str) -> String {
    serde_json::to_string(text).expect("a string always serialises")
}

/// Appends `text` as a JSON string literal: `"`, `\\` and the bytes below
/// 0x20 escaped as serde_json does ([`quote`]), everything else (DEL,
/// non-ASCII) as it is. YAML reads it as a double-quoted scalar with the same
/// value. Most values need no escape: they are copied whole.
fn push_quoted(out: &mut String, text: &str) {
    if text.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        out.push_str(&quote(text));
    } else {
        out.push('"');
        out.push_str(text);
        out.push('"');
    }
}

/// Whether `key` is written plain: an identifier of ASCII letters, digits,
/// `_` and `-`, not starting with a digit or `-`.
fn plain_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    bytes
        .first()
        .is_some_and(|&b| b.is_ascii_alphabetic() || b == b'_')
        && bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn push_key(out: &mut String, key: &str) {
    if plain_key(key) {
        out.push_str(key);
    } else {
        push_quoted(out, key);
    }
}

/// Appends `indent` spaces.
fn push_indent(out: &mut String, mut indent: usize) {
    const SPACES: &str = "                                                                ";
    while indent > SPACES.len() {
        out.push_str(SPACES);
        indent -= SPACES.len();
    }
    out.push_str(&SPACES[..indent]);
}

/// Whether `text` may hold a control character (`char::is_control`: U+0000 to
/// U+001F, U+007F to U+009F). U+0080 to U+009F are encoded 0xC2 0x80 to 0xC2
/// 0x9F, so a text without the bytes below 0x20, 0x7F and 0xC2 has none.
fn may_have_control(text: &str) -> bool {
    text.bytes().any(|b| b < 0x20 || b == 0x7f || b == 0xc2)
}

/// `text` with every control character replaced by a space, borrowed when it
/// has none.
fn without_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if may_have_control(text) && text.chars().any(char::is_control) {
        text.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect::<String>()
            .into()
    } else {
        text.into()
    }
}

fn push_comment(out: &mut String, indent: usize, text: &str) {
    push_indent(out, indent);
    let line = without_controls(text);
    if line.trim().is_empty() {
        out.push_str("#\n");
    } else {
        out.push_str("# ");
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

/// Writes the entries at `indent`. With `in_item`, the first entry continues a
/// `- ` already written (its comments were written above the dash).
fn emit_map(out: &mut String, entries: &[Entry], indent: usize, in_item: bool) {
    for (i, entry) in entries.iter().enumerate() {
        let continues_dash = in_item && i == 0;
        if !continues_dash {
            if entry.blank_before && !out.is_empty() {
                out.push('\n');
            }
            for line in &entry.comments {
                push_comment(out, indent, line);
            }
            push_indent(out, indent);
        }
        push_key(out, &entry.key);
        out.push(':');
        out.push(' ');
        if push_scalar(out, &entry.value) {
            if let Some(comment) = &entry.trailing {
                out.push_str("  # ");
                out.push_str(without_controls(comment).trim());
            }
            out.push('\n');
        } else {
            // Take back the space: a collection starts on the next line.
            out.pop();
            out.push('\n');
            match &entry.value {
                Node::Map(children) => emit_map(out, children, indent + 2, false),
                Node::Seq(items) => emit_seq(out, items, indent + 2),
                _ => unreachable!("scalars are handled above"),
            }
        }
    }
}

fn emit_seq(out: &mut String, items: &[Node], indent: usize) {
    for (i, item) in items.iter().enumerate() {
        match item {
            Node::Map(entries) if !entries.is_empty() => {
                let first = &entries[0];
                if i > 0 {
                    out.push('\n');
                }
                for line in &first.comments {
                    push_comment(out, indent, line);
                }
                push_indent(out, indent);
                out.push_str("- ");
                emit_map(out, entries, indent + 2, true);
            }
            Node::Seq(inner) if !inner.is_empty() => {
                push_indent(out, indent);
                out.push_str("-\n");
                emit_seq(out, inner, indent + 2);
            }
            scalar_item => {
                push_indent(out, indent);
                out.push_str("- ");
                push_scalar(out, scalar_item);
                out.push('\n');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strings a user could type that YAML would read as something else plain.
    const TRICKY: &[&str] = &[
        "",
        " ",
        " lead",
        "trail ",
        "a: b",
        "a:b",
        "a #b",
        "a#b",
        "-",
        "- x",
        "?",
        "? x",
        ":",
        ",",
        "[",
        "]",
        "{",
        "}",
        "#",
        "&a",
        "*a",
        "!t",
        "!!str",
        "|",
        ">",
        "'",
        "\"",
        "%YAML",
        "@x",
        "`x`",
        "yes",
        "no",
        "on",
        "off",
        "y",
        "n",
        "Y",
        "N",
        "Yes",
        "NO",
        "On",
        "OFF",
        "null",
        "Null",
        "NULL",
        "~",
        "true",
        "false",
        "True",
        "FALSE",
        "0",
        "-1",
        "+1",
        "1.5",
        "1e3",
        "0x1f",
        "0o17",
        "017",
        ".inf",
        "-.Inf",
        ".nan",
        "1_000",
        "2010-09-09",
        "12:30:00",
        "a\nb",
        "a\r\nb",
        "\n",
        "tab\there",
        "\u{8}\u{c}",
        "\u{0}\u{1}\u{1f}",
        "\u{7f}",
        "\u{80}\u{85}\u{9f}\u{a0}",
        "\u{2028}\u{2029}",
        "\u{feff}bom",
        "back\\slash",
        "\\\"",
        "\\u0041",
        "${{ github.ref }}",
        "$(rm -rf /)",
        "ünïcödé",
        "日本語",
        "emoji 🚀",
        "é\"é",
        "---",
        "...",
        "<<",
        "=",
    ];

    #[test]
    fn quoting_is_serde_json_s() {
        for text in TRICKY {
            let expected = serde_json::to_string(text).unwrap();
            assert_eq!(quote(text), expected, "{text:?}");
            // And every byte below 0x20 alone, and between other text.
        }
        for byte in 0u8..0x80 {
            let text = format!("a{}b", char::from(byte));
            assert_eq!(quote(&text), serde_json::to_string(&text).unwrap());
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn tricky_values_and_keys_read_back_as_themselves() {
        for text in TRICKY {
            // DEL and C1 controls other than NEL are not YAML-printable, and
            // serde_json leaves them raw: such a string does not parse (it is
            // never read as anything else). Kept as it was; see `quoting_*`.
            if text
                .chars()
                .any(|c| c == '\u{7f}' || (c.is_control() && c > '\u{85}'))
            {
                continue;
            }
            // Keys written plain (identifiers such as `null` or `yes`) are the
            // code's own, never a user's: only a quoted key must read back.
            let key = if plain_key(text) { "plain" } else { text };
            let doc = vec![
                Entry::new("value", s(*text)),
                Entry::new(key, s("key")),
                Entry::new("list", Node::Seq(vec![s(*text)])),
            ];
            let yaml = render(&[], &doc);
            let read: std::collections::BTreeMap<String, serde_json::Value> =
                serde_saphyr::from_str(&yaml).unwrap_or_else(|e| panic!("{yaml}: {e}"));
            assert_eq!(read["value"], serde_json::json!(text), "{yaml}");
            assert_eq!(read["list"], serde_json::json!([text]), "{yaml}");
            assert_eq!(read[key], serde_json::json!("key"), "{yaml}");
        }
    }

    #[test]
    fn keys() {
        for (key, written) in [
            ("name", "name"),
            ("_x-1", "_x-1"),
            ("id-token", "id-token"),
            ("Fn::If", "\"Fn::If\""),
            ("1st", "\"1st\""),
            ("-x", "\"-x\""),
            ("", "\"\""),
            ("a b", "\"a b\""),
            ("é", "\"é\""),
            ("yes", "yes"),
        ] {
            assert_eq!(
                render(&[], &[Entry::new(key, Node::Int(1))]),
                format!("{written}: 1\n")
            );
        }
    }

    #[test]
    fn scalars() {
        assert_eq!(scalar(&Node::Int(0)).unwrap(), "0");
        assert_eq!(scalar(&Node::Int(u64::MAX)).unwrap(), u64::MAX.to_string());
        assert_eq!(scalar(&Node::Int(1_000_000)).unwrap(), "1000000");
        assert_eq!(scalar(&Node::Bool(true)).unwrap(), "true");
        assert_eq!(scalar(&Node::Map(vec![])).unwrap(), "{}");
        assert_eq!(scalar(&Node::Seq(vec![])).unwrap(), "[]");
        assert_eq!(scalar(&Node::Seq(vec![s("x")])), None);
        assert_eq!(scalar(&s("a\"b")).unwrap(), "\"a\\\"b\"");
    }

    /// The comment rules before the fast path: control characters become
    /// spaces, a blank line is a bare `#`, trailing space is dropped.
    fn comment_reference(indent: usize, text: &str) -> String {
        let line: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let pad = " ".repeat(indent);
        if line.trim().is_empty() {
            format!("{pad}#\n")
        } else {
            format!("{pad}# {}\n", line.trim_end())
        }
    }

    #[test]
    fn comments_stay_on_one_line() {
        let mut texts: Vec<String> = TRICKY.iter().map(|t| t.to_string()).collect();
        texts.extend(
            [
                "  indented text  ",
                "x\u{85}y",
                "\u{85}",
                "\u{a0}",
                "\u{2003}trailing em space\u{2003}",
                "new\nline\n# not a key: 1",
                "é\u{9f}",
                "\u{7f}",
            ]
            .map(String::from),
        );
        for indent in [0, 2, 7, 64, 65, 130] {
            for text in &texts {
                let mut out = String::new();
                push_comment(&mut out, indent, text);
                assert_eq!(out, comment_reference(indent, text), "{text:?}");
                assert_eq!(out.matches('\n').count(), 1, "{text:?}");
            }
        }
        let doc = [Entry::new("k", s("v")).trailing(" a\nb\u{85} ")];
        assert_eq!(render(&[], &doc), "k: \"v\"  # a b\n");
    }

    #[test]
    fn layout() {
        let doc = vec![
            Entry::new("name", s("a: b # c")).comment(&["first", ""]),
            Entry::new(
                "steps",
                Node::Seq(vec![
                    Node::Map(vec![
                        Entry::new("uses", s("x@y"))
                            .comment(&["step"])
                            .trailing("v1"),
                        Entry::new("with", Node::Map(vec![Entry::new("k", Node::Bool(false))])),
                    ]),
                    Node::Map(vec![Entry::new("n", Node::Int(3))]),
                ]),
            )
            .blank(),
            Entry::new("empty", Node::Map(vec![])),
            Entry::new("list", Node::Seq(vec![s("main")])),
            Entry::new("odd key", s("x\ny")),
        ];
        assert_eq!(
            render(&["header\nline".into()], &doc),
            "# header line\n\n# first\n#\nname: \"a: b # c\"\n\nsteps:\n  # step\n  - uses: \"x@y\"  # v1\n    with:\n      k: false\n\n  - n: 3\nempty: {}\nlist:\n  - \"main\"\n\"odd key\": \"x\\ny\"\n"
        );
    }
}
