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
        Entry {
            key: key.to_string(),
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
    let mut out = String::new();
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
    match node {
        Node::Str(text) => Some(quote(text)),
        Node::Bool(b) => Some(b.to_string()),
        Node::Int(n) => Some(n.to_string()),
        Node::Map(entries) if entries.is_empty() => Some("{}".into()),
        Node::Seq(items) if items.is_empty() => Some("[]".into()),
        Node::Map(_) | Node::Seq(_) => None,
    }
}

/// A string as a JSON string literal, which YAML reads as the same string.
pub fn quote(text: &str) -> String {
    serde_json::to_string(text).expect("a string always serialises")
}

fn key_text(key: &str) -> String {
    let plain = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if plain {
        key.to_string()
    } else {
        quote(key)
    }
}

fn push_comment(out: &mut String, indent: usize, text: &str) {
    out.push_str(&" ".repeat(indent));
    let line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
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
            out.push_str(&" ".repeat(indent));
        }
        out.push_str(&key_text(&entry.key));
        out.push(':');
        match scalar(&entry.value) {
            Some(text) => {
                out.push(' ');
                out.push_str(&text);
                if let Some(comment) = &entry.trailing {
                    let comment: String = comment
                        .chars()
                        .map(|c| if c.is_control() { ' ' } else { c })
                        .collect();
                    out.push_str("  # ");
                    out.push_str(comment.trim());
                }
                out.push('\n');
            }
            None => {
                out.push('\n');
                match &entry.value {
                    Node::Map(children) => emit_map(out, children, indent + 2, false),
                    Node::Seq(items) => emit_seq(out, items, indent + 2),
                    _ => unreachable!("scalars are handled above"),
                }
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
                out.push_str(&" ".repeat(indent));
                out.push_str("- ");
                emit_map(out, entries, indent + 2, true);
            }
            Node::Seq(inner) if !inner.is_empty() => {
                out.push_str(&" ".repeat(indent));
                out.push_str("-\n");
                emit_seq(out, inner, indent + 2);
            }
            scalar_item => {
                out.push_str(&" ".repeat(indent));
                out.push_str("- ");
                out.push_str(
                    &scalar(scalar_item).expect("non-empty collections are handled above"),
                );
                out.push('\n');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
