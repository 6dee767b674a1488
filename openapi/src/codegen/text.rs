//! Generated items written as Rust text instead of syn trees.
//!
//! The written-out serde impls ([`super::serde_impls`]) are a quarter of the
//! generated lines. Built with `parse_quote!`, each was parsed back into a
//! syn tree only to be printed again: about 1.2 s of every build of
//! aiven-api (its build script runs unoptimised). Their shape is fixed, so
//! they are written as text, in the layout rustfmt would give them, and put
//! in their module after pretty-printing, in place of a mark.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use quote::ToTokens;

use crate::Error;

/// The item that marks where a module's written-out text goes; printed on
/// a line of its own.
const MARK: &str = "__aiven_openapi_written_out!();";

/// Appends a formatted line to a `String` (which cannot fail).
macro_rules! emit {
    ($out:expr, $($arg:tt)*) => {{
        use ::std::fmt::Write as _;
        let _ = writeln!($out, $($arg)*);
    }};
}
pub(super) use emit;

/// Marks the end of `items` as the place of the written-out text.
pub(super) fn mark(items: &mut Vec<syn::Item>) {
    // Printed as `MARK` (a test checks).
    items.push(syn::parse_quote!(__aiven_openapi_written_out!();));
}

/// Puts `text` in place of the one mark of the printed file, indented as
/// the mark is. Fails if the file has no mark or more than one.
pub(super) fn insert(printed: &str, text: &str) -> Result<String, Error> {
    let marks: Vec<usize> = printed
        .match_indices(MARK)
        .map(|(at, _)| at)
        .filter(|&at| {
            let start = printed[..at].rfind('\n').map_or(0, |n| n + 1);
            printed[start..at].bytes().all(|b| b == b' ')
                && printed[at + MARK.len()..].starts_with('\n')
        })
        .collect();
    let [at] = marks.as_slice() else {
        return Err(Error::Codegen(format!(
            "the printed client has {} places for the written-out impls, not one; update \
             aiven-openapi's codegen::text",
            marks.len()
        )));
    };
    let start = printed[..*at].rfind('\n').map_or(0, |n| n + 1);
    let indent = &printed[start..*at];
    let mut out = String::with_capacity(printed.len() + text.len() + text.len() / 8);
    out.push_str(&printed[..start]);
    for line in text.lines() {
        if !line.is_empty() {
            out.push_str(indent);
            out.push_str(line);
        }
        out.push('\n');
    }
    out.push_str(&printed[at + MARK.len() + 1..]);
    Ok(out)
}

/// A string literal of `value`.
pub(super) fn lit(value: &str) -> String {
    proc_macro2::Literal::string(value).to_string()
}

/// Rust text of a type or path, spaced as rustfmt would for the shapes the
/// generated fields have (paths with generic arguments, references, tuples,
/// slices); other tokens are spaced apart, which is still valid Rust.
pub(super) fn rust(tokens: &impl ToTokens) -> String {
    let mut out = String::new();
    write_tokens(&mut out, tokens.to_token_stream());
    out
}

fn write_tokens(out: &mut String, tokens: TokenStream) {
    // The last token: a word (identifier, literal) spaces the next word;
    // a joint punctuation (`::`, `->`, `'a`) is continued by the next token.
    let mut word = false;
    // The last token was a keyword (`&mut (A, B)`, `dyn [..]`).
    let mut keyword = false;
    let mut joint: Option<char> = None;
    for tt in tokens {
        match &tt {
            TokenTree::Ident(_) | TokenTree::Literal(_) => {
                if word {
                    out.push(' ');
                }
                let text = tt.to_string();
                keyword = matches!(text.as_str(), "mut" | "dyn" | "impl" | "const" | "as");
                out.push_str(&text);
                word = true;
                joint = None;
            }
            TokenTree::Punct(p) => {
                let c = p.as_char();
                match (joint, c) {
                    // `a, b`, `[u8; 4]`, `T: Bound`
                    (_, ',' | ';') | (None, ':') if p.spacing() == Spacing::Alone => {
                        out.push(c);
                        out.push(' ');
                    }
                    // `A + B`, `X = Y`, `-> T`
                    (None, '=' | '+') | (Some('-'), '>') => {
                        if c != '>' && !out.ends_with(' ') {
                            out.push(' ');
                        }
                        out.push(c);
                        out.push(' ');
                    }
                    (None, '-') if p.spacing() == Spacing::Joint => {
                        if !out.ends_with(' ') {
                            out.push(' ');
                        }
                        out.push(c);
                    }
                    _ => out.push(c),
                }
                word = false;
                keyword = false;
                joint = (p.spacing() == Spacing::Joint).then_some(c);
            }
            TokenTree::Group(g) => {
                let (open, close) = match g.delimiter() {
                    Delimiter::Parenthesis => ('(', Some(')')),
                    Delimiter::Bracket => ('[', Some(']')),
                    Delimiter::Brace => ('{', Some('}')),
                    Delimiter::None => (' ', None),
                };
                if word && (keyword || close.is_none()) {
                    out.push(' ');
                }
                if close.is_some() {
                    out.push(open);
                }
                write_tokens(out, g.stream());
                if let Some(close) = close {
                    out.push(close);
                }
                word = close.is_none();
                keyword = false;
                joint = None;
            }
        }
    }
    let kept = out.trim_end_matches(' ').len();
    out.truncate(kept);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_and_paths_print_as_rustfmt_would() {
        let cases: [(syn::Type, &str); 8] = [
            (
                syn::parse_quote!(::std::option::Option<::std::vec::Vec<types::Tag>>),
                "::std::option::Option<::std::vec::Vec<types::Tag>>",
            ),
            (
                syn::parse_quote!(::serde_json::Map<::std::string::String, ::serde_json::Value>),
                "::serde_json::Map<::std::string::String, ::serde_json::Value>",
            ),
            (syn::parse_quote!(&'a str), "&'a str"),
            (
                syn::parse_quote!(&'static mut [u8; 4]),
                "&'static mut [u8; 4]",
            ),
            (syn::parse_quote!((i64, bool)), "(i64, bool)"),
            (syn::parse_quote!(&mut (i64, [u8])), "&mut (i64, [u8])"),
            (
                syn::parse_quote!(Box<dyn Fn(u8) -> u8 + Send>),
                "Box<dyn Fn(u8) -> u8 + Send>",
            ),
            (syn::parse_quote!(r#type::X), "r#type::X"),
        ];
        for (ty, text) in cases {
            assert_eq!(rust(&ty), text);
            // And it is the same type.
            let reparsed: syn::Type = syn::parse_str(&rust(&ty)).unwrap();
            assert_eq!(
                reparsed.to_token_stream().to_string(),
                ty.to_token_stream().to_string()
            );
        }
        let path: syn::ExprPath = syn::parse_quote!(::std::option::Option::is_none);
        assert_eq!(rust(&path), "::std::option::Option::is_none");
    }

    #[test]
    fn literals_are_escaped() {
        assert_eq!(lit("a\"b\\c\n"), r#""a\"b\\c\n""#);
        assert_eq!(
            syn::parse_str::<syn::LitStr>(&lit("é\u{0}'"))
                .unwrap()
                .value(),
            "é\u{0}'"
        );
    }

    #[test]
    fn text_goes_in_place_of_the_one_mark_indented_as_it_is() {
        let printed = format!("pub mod types {{\n    pub struct A;\n    {MARK}\n}}\n");
        let inserted = insert(
            &printed,
            "impl X for A {\n    fn f() {}\n}\n\nimpl Y for A {}\n",
        )
        .unwrap();
        assert_eq!(
            inserted,
            "pub mod types {\n    pub struct A;\n    impl X for A {\n        fn f() {}\n    }\n\n    impl Y for A {}\n}\n"
        );
        // No mark, two marks, a mark inside a line: refused.
        assert!(insert("pub mod types {}\n", "impl X for A {}\n").is_err());
        let twice = format!("    {MARK}\n    {MARK}\n");
        assert!(insert(&twice, "").is_err());
        let inline = format!("    let s = \"{MARK}\";\n");
        assert!(insert(&inline, "").is_err());
    }

    #[test]
    fn the_mark_is_printed_on_a_line_of_its_own() {
        let mut file: syn::File = syn::parse_quote!(
            pub mod types {
                pub struct A;
            }
        );
        let syn::Item::Mod(m) = &mut file.items[0] else {
            unreachable!()
        };
        mark(&mut m.content.as_mut().unwrap().1);
        let printed = prettyplease::unparse(&file);
        assert_eq!(
            insert(&printed, "impl X for A {}\n").unwrap(),
            "pub mod types {\n    pub struct A;\n    impl X for A {}\n}\n"
        );
    }
}
