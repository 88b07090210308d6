//! What `uniffi.toml` cannot say in uniffi 0.32, done to the generated files, and the
//! checks that keep the generated API honest.
//!
//! Adjustments (each fails loudly if uniffi's output stops matching, so an upgrade
//! cannot silently skip one):
//! - Swift error cases in lowerCamel, like every other Swift enum (`.offline`, not
//!   `.Offline`);
//! - Kotlin `CvException.message` is the French user message, not `"detail=…"`;
//! - Kotlin names unquoted where they are not keywords (uniffi quotes every name);
//! - Python waits at exit until no library thread is inside a Python callback
//!   (`bindings/src/runtime.rs` says why).
//!
//! Checks: no name that Swift or Kotlin reserve, and no Rust syntax in the docs.

use regex::{Captures, Regex};

use crate::cmd::Result;

/// Swift error enums whose cases are renamed to lowerCamel.
const SWIFT_ERRORS: [&str; 2] = ["CvError", "SignerFailure"];

/// Kotlin's hard keywords: never usable as a name without backticks.
const KOTLIN_KEYWORDS: [&str; 28] = [
    "as",
    "break",
    "class",
    "continue",
    "do",
    "else",
    "false",
    "for",
    "fun",
    "if",
    "in",
    "interface",
    "is",
    "null",
    "object",
    "package",
    "return",
    "super",
    "this",
    "throw",
    "true",
    "try",
    "typealias",
    "typeof",
    "val",
    "var",
    "when",
    "while",
];

/// Names a Swift type cannot have as a member (`X.Type`, `X.Protocol`, `X.self` are the
/// metatype syntax), compared case-insensitively for `self`.
const SWIFT_MEMBER_RESERVED: [&str; 3] = ["Type", "Protocol", "Self"];

/// Lowercases the cases of each error enum in `SWIFT_ERRORS`, in the enum and its
/// converter.
pub fn swift(source: &str) -> Result<String> {
    let mut out = source.to_owned();
    for name in SWIFT_ERRORS {
        out = lower_error_cases(&out, name)?;
    }
    Ok(out)
}

fn lower_error_cases(source: &str, name: &str) -> Result<String> {
    let start = source
        .find(&format!("enum {name}: Swift.Error"))
        .ok_or(format!("swift: enum {name} not found"))?;
    let converter = format!("public struct FfiConverterType{name}:");
    let end = source[start..]
        .find(&converter)
        .and_then(|at| {
            source[start + at..]
                .find("\n}\n")
                .map(|close| start + at + close)
        })
        .ok_or(format!("swift: {converter} not found"))?;
    let block = &source[start..end];
    let case = Regex::new(r"(?m)^\s*case ([A-Z]\w*)").expect("valid regex");
    let variants: Vec<String> = case.captures_iter(block).map(|c| c[1].to_owned()).collect();
    if variants.is_empty() {
        return Err(format!("swift: no case found in {name}"));
    }
    let reference =
        Regex::new(&format!(r"(\bcase |\.)({})\b", variants.join("|"))).expect("valid regex");
    let lowered = reference.replace_all(block, |c: &Captures| {
        format!("{}{}", &c[1], lower_first(&c[2]))
    });
    Ok(format!("{}{}{}", &source[..start], lowered, &source[end..]))
}

fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|first| first.to_ascii_lowercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// Gives `CvException` the French message, once on the sealed class (so that a value
/// typed as the base class has a non-null `message` too), and unquotes names that need
/// no quotes.
pub fn kotlin(source: &str) -> Result<String> {
    const HEAD: &str = "sealed class CvException: kotlin.Exception() {";
    let start = source.find(HEAD).ok_or("kotlin: CvException not found")?;
    let end = source[start..]
        .find("companion object ErrorHandler")
        .map(|at| start + at)
        .ok_or("kotlin: CvException's end not found")?;
    let getter =
        Regex::new(r#"\n\s*override val message\n\s+get\(\) = "[^"\n]*""#).expect("valid regex");
    let block = &source[start + HEAD.len()..end];
    if getter.find_iter(block).count() == 0 {
        return Err("kotlin: no message getter found in CvException".into());
    }
    let block = getter.replace_all(block, "");
    let patched = format!(
        "{}{HEAD}\n    /** The French sentence for the screen: the same as userMessage(). */\n    \
         override val message: String\n        get() = userMessage()\n{}{}",
        &source[..start],
        block,
        &source[end..]
    );
    let quoted = Regex::new(r"`([A-Za-z_][A-Za-z0-9_]*)`").expect("valid regex");
    Ok(quoted
        .replace_all(&patched, |c: &Captures| {
            if KOTLIN_KEYWORDS.contains(&&c[1]) {
                c[0].to_owned()
            } else {
                c[1].to_owned()
            }
        })
        .into_owned())
}

/// Registers `wait_for_callbacks` to run when the interpreter exits.
pub fn python(source: &str) -> Result<String> {
    if !source.contains("\ndef wait_for_callbacks(") {
        return Err("python: wait_for_callbacks not found".into());
    }
    Ok(format!(
        "{source}\n\n# Added by cargo xtask (bindings/src/runtime.rs says why): before the interpreter\n\
         # shuts down, wait until no library thread is inside a Python callback.\n\
         import atexit as _cvconnect_atexit\n_cvconnect_atexit.register(wait_for_callbacks)\n"
    ))
}

/// Fails on a reserved name: a Kotlin name still quoted after [`kotlin`], a quoted
/// Swift name, or a Swift member named like the metatype syntax.
pub fn check_names(language: &str, source: &str) -> Result {
    let code = strip_comments(source);
    let mut found = Vec::new();
    let quoted = Regex::new(r"`([A-Za-z_][A-Za-z0-9_]*)`").expect("valid regex");
    found.extend(quoted.captures_iter(&code).map(|c| c[1].to_owned()));
    if language == "swift" {
        let member = Regex::new(r"\b(?:case|var|let|func)\s+([A-Za-z_]\w*)|\b([A-Za-z_]\w*):\s")
            .expect("valid regex");
        for c in member.captures_iter(&code) {
            let name = c.get(1).or(c.get(2)).map_or("", |m| m.as_str());
            if SWIFT_MEMBER_RESERVED
                .iter()
                .any(|r| r.eq_ignore_ascii_case(name))
            {
                found.push(name.to_owned());
            }
        }
    }
    found.sort();
    found.dedup();
    none_found(
        &found,
        &format!("{language}: reserved names in the generated code: "),
        ", ",
    )
}

/// Fails on Rust syntax in the documentation comments that the generated code takes
/// from the bindings crate (`ours`: its `///` lines). uniffi's own runtime comments are
/// not the API's and are left alone.
pub fn check_docs(language: &str, source: &str, ours: &str) -> Result {
    let docs: Vec<String> = doc_comments(language, source)
        .into_iter()
        .filter(|doc| ours.contains(first_line(&doc_text(doc))))
        .collect();
    let rust = Regex::new(
        r"crate::|\w::\w|\[`|`[^`\n]*\b[a-z]+_[a-z_]+\b[^`\n]*`|\b[a-z]+_[a-z_]+\(\)|Option<|Vec<|Result<|Arc<|&self|\bSome\(|\bNone\b|\bu8\b|\bu16\b|\bu32\b|\bu64\b|\bi64\b",
    )
    .expect("valid regex");
    let leaks: Vec<String> = docs
        .iter()
        .filter_map(|doc| {
            rust.find(doc)
                .map(|m| format!("{:?} in {:?}", m.as_str(), first_line(doc)))
        })
        .collect();
    none_found(
        &leaks,
        &format!("{language}: Rust syntax in the generated docs:\n  "),
        "\n  ",
    )
}

/// Passes when a check found nothing; otherwise fails with `what`, then the findings.
fn none_found(found: &[String], what: &str, separator: &str) -> Result {
    if found.is_empty() {
        Ok(())
    } else {
        Err(format!("{what}{}", found.join(separator)))
    }
}

fn first_line(doc: &str) -> &str {
    doc.lines()
        .map(str::trim)
        .find(|l| l.len() > 3)
        .unwrap_or(doc)
}

/// A doc comment without its markers (`/**`, ` * `, `"""`).
fn doc_text(doc: &str) -> String {
    doc.lines()
        .map(|line| line.trim().trim_start_matches("/**").trim_end_matches("*/"))
        .map(|line| line.trim_start_matches('*').trim().trim_matches('"').trim())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The documentation comments: `/** … */` in Kotlin and Swift, docstrings in Python.
fn doc_comments(language: &str, source: &str) -> Vec<String> {
    let pattern = if language == "python" {
        r#"(?s)""".*?""""#
    } else {
        r"(?s)/\*\*.*?\*/"
    };
    let doc = Regex::new(pattern).expect("valid regex");
    doc.find_iter(source)
        .map(|m| m.as_str().to_owned())
        .collect()
}

fn strip_comments(source: &str) -> String {
    let comments = Regex::new(r"(?s)/\*.*?\*/|//[^\n]*").expect("valid regex");
    comments.replace_all(source, "").into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SWIFT: &str = "public enum CvError: Swift.Error {\n    case Offline\n    case Server(status: Int32)\n}\npublic struct FfiConverterTypeCvError: FfiConverterRustBuffer {\n    case 1: return .Offline\n    case let .Server(status):\n}\n";

    #[test]
    fn swift_error_cases_become_lower_camel() {
        let out = lower_error_cases(SWIFT, "CvError").unwrap();
        assert!(out.contains("case offline\n") && out.contains("case server(status"));
        assert!(out.contains("return .offline") && out.contains("case let .server(status)"));
        assert!(!out.contains("Offline"));
    }

    #[test]
    fn kotlin_messages_become_the_user_message_and_names_lose_their_quotes() {
        let source = "sealed class CvException: kotlin.Exception() {\n    class Server(val `status`: Int) : CvException() {\n        override val message\n            get() = \"status=${ `status` }\"\n    }\n    companion object ErrorHandler\n}\nval `is` = 1\n";
        let out = kotlin(source).unwrap();
        assert!(out.contains("override val message: String\n        get() = userMessage()"));
        assert_eq!(out.matches("override val message").count(), 1, "{out}");
        assert!(out.contains("val status: Int") && out.contains("val `is` = 1"));
    }

    #[test]
    fn reserved_names_are_found() {
        assert!(check_names("swift", "enum E { case Protocol(detail: String) }").is_err());
        assert!(check_names("swift", "func f(`inout`: Int)").is_err());
        assert!(check_names("kotlin", "val `is` = 1").is_err());
        assert!(check_names("swift", "enum E { case protocolViolation(detail: String) }").is_ok());
    }

    #[test]
    fn rust_syntax_in_docs_is_found() {
        for leak in [
            "[`crate::log::LogSink`]",
            "`user_message()`",
            "`attempts_left == 1`",
            "Option<String>",
        ] {
            let source = format!("/**\n * See {leak}.\n */\nfun f()");
            let ours = format!("/// See {leak}.");
            assert!(check_docs("kotlin", &source, &ours).is_err(), "{leak}");
            assert!(
                check_docs("kotlin", &source, "").is_ok(),
                "not ours: {leak}"
            );
        }
        let python = "\"\"\"The French sentence.\"\"\"";
        assert!(check_docs("python", python, "/// The French sentence.").is_ok());
    }
}
