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

/// A place in the printed file where text goes, marked by an item that
/// prints on a line of its own (`__aiven_openapi_insert!(name);`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mark {
    /// The `types` module, printed on its own (see `super::generate`).
    Types,
    /// The end of the `types` module: the written-out serde impls.
    SerdeImpls,
}

impl Mark {
    fn name(self) -> &'static str {
        match self {
            Self::Types => "types",
            Self::SerdeImpls => "serde_impls",
        }
    }

    fn printed(self) -> String {
        format!("__aiven_openapi_insert!({});", self.name())
    }
}

/// The mark's item, as tokens.
pub(super) fn mark_tokens(mark: Mark) -> proc_macro2::TokenStream {
    let name = proc_macro2::Ident::new(mark.name(), proc_macro2::Span::call_site());
    quote::quote!(__aiven_openapi_insert!(#name);)
}

/// Marks the end of `items` as the place of `mark`'s text.
pub(super) fn mark(items: &mut Vec<syn::Item>, mark: Mark) {
    let tokens = mark_tokens(mark);
    items.push(syn::parse_quote!(#tokens));
}

/// Appends a formatted line to a `String` (which cannot fail).
macro_rules! emit {
    ($out:expr, $($arg:tt)*) => {{
        use ::std::fmt::Write as _;
        let _ = writeln!($out, $($arg)*);
    }};
}
pub(super) use emit;

/// Puts `text` in place of the one `mark` of the printed file, indented as
/// the mark is. Fails if the file has no such mark or more than one.
///
/// Every line of `text` is indented, which would change a literal spanning
/// lines: the serde impls have none ([`lit`] escapes line breaks), and the
/// `types` module (prettyplease prints long docs as `/** … */` over lines)
/// goes at the top level, with no indent: refused otherwise.
pub(super) fn insert(printed: &str, mark: Mark, text: &str) -> Result<String, Error> {
    let line = mark.printed();
    let marks: Vec<usize> = printed
        .match_indices(&line)
        .map(|(at, _)| at)
        .filter(|&at| {
            let start = printed[..at].rfind('\n').map_or(0, |n| n + 1);
            printed[start..at].bytes().all(|b| b == b' ')
                && printed[at + line.len()..].starts_with('\n')
        })
        .collect();
    let [at] = marks.as_slice() else {
        return Err(Error::Codegen(format!(
            "the printed client has {} places marked {}, not one; update aiven-openapi's \
             codegen::text",
            marks.len(),
            mark.name()
        )));
    };
    let start = printed[..*at].rfind('\n').map_or(0, |n| n + 1);
    let indent = &printed[start..*at];
    if mark == Mark::Types && !indent.is_empty() {
        return Err(Error::Codegen(
            "the types module's mark is indented; its text would change (aiven-openapi's \
             codegen::text)"
                .into(),
        ));
    }
    let mut out = String::with_capacity(printed.len() + text.len() + text.len() / 8);
    out.push_str(&printed[..start]);
    for line in text.lines() {
        if !line.is_empty() {
            out.push_str(indent);
            out.push_str(line);
        }
        out.push('\n');
    }
    out.push_str(&printed[at + line.len() + 1..]);
    Ok(out)
}

/// A string literal of `value`.
pub(super) fn lit(value: &str) -> String {
    proc_macro2::Literal::string(value).to_string()
}

/// Rust text of a type or path, spaced as rustfmt would for the shapes the
/// generated fields have (paths with generic arguments, references, tuples,
/// slices, arrays); any other shape is the same tokens, perhaps spaced
/// otherwise.
pub(super) fn rust(tokens: &impl ToTokens) -> String {
    let mut out = String::new();
    write_tokens(&mut out, tokens.to_token_stream());
    out
}

fn write_tokens(out: &mut String, tokens: TokenStream) {
    // The last token: a word (identifier, literal) spaces the next word;
    // a joint punctuation (`::`, `->`, `'a`) is continued by the next token.
    let mut word = false;
    // The last word was a keyword or a lifetime, spaced from a group
    // (`&mut (A, B)`, `&'a [u8]`).
    let mut keyword = false;
    let mut joint: Option<char> = None;
    for tt in tokens {
        match &tt {
            TokenTree::Ident(_) | TokenTree::Literal(_) => {
                if word {
                    out.push(' ');
                }
                let text = tt.to_string();
                keyword = joint == Some('\'')
                    || matches!(text.as_str(), "mut" | "dyn" | "impl" | "const" | "as");
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
                // `Fn(u8)`, but `[u8]` after any word.
                if word && (keyword || close != Some(')')) {
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
        let cases: [(syn::Type, &str); 10] = [
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
            (syn::parse_quote!(&'a [u8]), "&'a [u8]"),
            (syn::parse_quote!(&'a (u8, u8)), "&'a (u8, u8)"),
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
        let mark = Mark::SerdeImpls.printed();
        let printed = format!("pub mod types {{\n    pub struct A;\n    {mark}\n}}\n");
        let text = "impl X for A {\n    fn f() {}\n}\n\nimpl Y for A {}\n";
        assert_eq!(
            insert(&printed, Mark::SerdeImpls, text).unwrap(),
            "pub mod types {\n    pub struct A;\n    impl X for A {\n        fn f() {}\n    }\n\n    impl Y for A {}\n}\n"
        );
        // Another mark, no mark, two marks, a mark inside a line: refused.
        assert!(insert(&printed, Mark::Types, text).is_err());
        assert!(insert("pub mod types {}\n", Mark::SerdeImpls, text).is_err());
        let twice = format!("    {mark}\n    {mark}\n");
        assert!(insert(&twice, Mark::SerdeImpls, "").is_err());
        let inline = format!("    let s = \"{mark}\";\n");
        assert!(insert(&inline, Mark::SerdeImpls, "").is_err());
        // No text: the mark's line goes.
        assert_eq!(
            insert(&printed, Mark::SerdeImpls, "").unwrap(),
            "pub mod types {\n    pub struct A;\n}\n"
        );
    }

    #[test]
    fn marks_are_printed_on_a_line_of_their_own() {
        let mut file: syn::File = syn::parse_quote!(
            pub mod types {
                pub struct A;
            }
        );
        let syn::Item::Mod(m) = &mut file.items[0] else {
            unreachable!()
        };
        mark(&mut m.content.as_mut().unwrap().1, Mark::SerdeImpls);
        let tokens = mark_tokens(Mark::Types);
        file.items.insert(0, syn::parse_quote!(#tokens));
        let printed = prettyplease::unparse(&file);
        let printed = insert(&printed, Mark::SerdeImpls, "impl X for A {}\n").unwrap();
        assert_eq!(
            insert(&printed, Mark::Types, "mod t {}\n").unwrap(),
            "mod t {}\npub mod types {\n    pub struct A;\n    impl X for A {}\n}\n"
        );
    }
}
