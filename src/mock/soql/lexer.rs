//! SOQL tokens, each with its byte offset for error messages.

use super::SoqlError;
use crate::mock::sobjects::clock::{is_date, normalize_datetime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// A name or keyword (`Account`, `Owner.Name`, `select`).
    Word,
    /// A string literal, escapes decoded except `\%` and `\_` (kept for LIKE).
    Str(String),
    Num(f64),
    Date(String),
    /// Normalised to `2024-05-01T12:00:00.000+0000`.
    DateTime(String),
    Comma,
    Open,
    Close,
    Op(Op),
    Eof,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    pub(crate) at: usize,
    /// The source text.
    pub(crate) text: String,
}

impl Token {
    /// A keyword, compared ignoring case.
    pub(crate) fn is(&self, keyword: &str) -> bool {
        self.tok == Tok::Word && self.text.eq_ignore_ascii_case(keyword)
    }
}

pub(crate) fn lex(source: &str) -> Result<Vec<Token>, SoqlError> {
    let chars: Vec<(usize, char)> = source.char_indices().collect();
    let mut tokens = Vec::new();
    let mut index = 0;
    while let Some(&(at, c)) = chars.get(index) {
        let next = chars.get(index + 1).map(|&(_, c)| c);
        let end = |index: usize| chars.get(index).map_or(source.len(), |&(at, _)| at);
        let (tok, length) = match c {
            _ if c.is_whitespace() => {
                index += 1;
                continue;
            }
            ',' => (Tok::Comma, 1),
            '(' => (Tok::Open, 1),
            ')' => (Tok::Close, 1),
            '=' => (Tok::Op(Op::Eq), 1),
            '!' if next == Some('=') => (Tok::Op(Op::Ne), 2),
            '<' if next == Some('>') => (Tok::Op(Op::Ne), 2),
            '<' if next == Some('=') => (Tok::Op(Op::Le), 2),
            '>' if next == Some('=') => (Tok::Op(Op::Ge), 2),
            '<' => (Tok::Op(Op::Lt), 1),
            '>' => (Tok::Op(Op::Gt), 1),
            '\'' => string(source, &chars, index)?,
            _ if c.is_alphabetic() || c == '_' => {
                let length = run(&chars, index, |c| {
                    c.is_alphanumeric() || c == '_' || c == '.'
                });
                (Tok::Word, length)
            }
            _ if c.is_ascii_digit()
                || (matches!(c, '-' | '+') && next.is_some_and(|n| n.is_ascii_digit())) =>
            {
                number(source, &chars, index)?
            }
            _ => {
                let column = source[..at].chars().count();
                let message = format!("line 1:{column} no viable alternative at character '{c}'");
                return Err(SoqlError::located("MALFORMED_QUERY", source, at, &message));
            }
        };
        let text = source[at..end(index + length)].to_string();
        tokens.push(Token { tok, at, text });
        index += length;
    }
    tokens.push(Token {
        tok: Tok::Eof,
        at: source.trim_end().len(),
        text: "'<EOF>'".into(),
    });
    Ok(tokens)
}

fn run(chars: &[(usize, char)], from: usize, keep: impl Fn(char) -> bool) -> usize {
    chars[from..].iter().take_while(|&&(_, c)| keep(c)).count()
}

/// A quoted string starting at `chars[from]`: its value and length in chars.
fn string(source: &str, chars: &[(usize, char)], from: usize) -> Result<(Tok, usize), SoqlError> {
    let mut value = String::new();
    let mut index = from + 1;
    loop {
        let Some(&(at, c)) = chars.get(index) else {
            let column = source.chars().count();
            let message = format!("line 1:{column} mismatched character '<EOF>' expecting '''");
            return Err(SoqlError::located(
                "MALFORMED_QUERY",
                source,
                source.len(),
                &message,
            ));
        };
        match c {
            '\'' => return Ok((Tok::Str(value), index + 1 - from)),
            '\\' => {
                let escaped = chars.get(index + 1).map(|&(_, c)| c);
                let decoded = match escaped {
                    Some('n') => "\n".to_string(),
                    Some('r') => "\r".to_string(),
                    Some('t') => "\t".to_string(),
                    Some('b') => "\u{8}".to_string(),
                    Some('f') => "\u{c}".to_string(),
                    Some(c @ ('\'' | '"' | '\\')) => c.to_string(),
                    Some(c @ ('%' | '_')) => format!("\\{c}"),
                    _ => {
                        let literal = &source[chars[from].0..];
                        let message = format!(
                            "Invalid string literal '{}'. Illegal escape sequence '\\{}'",
                            literal.trim_matches('\''),
                            escaped.map(String::from).unwrap_or_default()
                        );
                        return Err(SoqlError::located("MALFORMED_QUERY", source, at, &message));
                    }
                };
                value.push_str(&decoded);
                index += 2;
            }
            _ => {
                value.push(c);
                index += 1;
            }
        }
    }
}

/// A number, date (`2024-05-01`) or date-time (`2024-05-01T12:00:00Z`).
fn number(source: &str, chars: &[(usize, char)], from: usize) -> Result<(Tok, usize), SoqlError> {
    let length = run(chars, from, |c| {
        c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '-' | '+')
    });
    let at = chars[from].0;
    let end = chars.get(from + length).map_or(source.len(), |&(at, _)| at);
    let text = &source[at..end];
    let bytes = text.as_bytes();
    let date_shaped = bytes.len() >= 10 && bytes[4] == b'-' && bytes[7] == b'-';
    let tok = if date_shaped && text.len() == 10 {
        is_date(text).then(|| Tok::Date(text.to_string()))
    } else if date_shaped {
        normalize_datetime(text).map(Tok::DateTime)
    } else {
        let digits = run(chars, from + 1, |c| c.is_ascii_digit() || c == '.') + 1;
        let number_end = chars.get(from + digits).map_or(source.len(), |&(at, _)| at);
        return source[at..number_end]
            .parse::<f64>()
            .map(|number| (Tok::Num(number), digits))
            .map_err(|_| unexpected_literal(source, at, &source[at..number_end]));
    };
    tok.map(|tok| (tok, length))
        .ok_or_else(|| unexpected_literal(source, at, text))
}

fn unexpected_literal(source: &str, at: usize, text: &str) -> SoqlError {
    SoqlError::located(
        "MALFORMED_QUERY",
        source,
        at,
        &format!("unexpected token: {text}"),
    )
}

#[cfg(test)]
mod tests {
    use super::{Op, Tok, lex};

    fn toks(source: &str) -> Vec<Tok> {
        lex(source)
            .unwrap()
            .into_iter()
            .map(|token| token.tok)
            .collect()
    }

    #[test]
    fn tokens() {
        assert_eq!(
            toks("a.b<>'x\\'y',-1.5 2024-05-01 2024-05-01T00:00:00Z"),
            [
                Tok::Word,
                Tok::Op(Op::Ne),
                Tok::Str("x'y".into()),
                Tok::Comma,
                Tok::Num(-1.5),
                Tok::Date("2024-05-01".into()),
                Tok::DateTime("2024-05-01T00:00:00.000+0000".into()),
                Tok::Eof,
            ]
        );
        assert_eq!(toks("'a\\%'")[0], Tok::Str("a\\%".into()));
        assert_eq!(lex("ab  ").unwrap()[1].at, 2);
    }

    #[test]
    fn errors() {
        let error = lex("SELECT Id FROM A WHERE Name = 'x").unwrap_err();
        assert_eq!(error.code, "MALFORMED_QUERY");
        assert!(
            error
                .message
                .ends_with("line 1:32 mismatched character '<EOF>' expecting '''")
        );
        let error = lex("SELECT * FROM A").unwrap_err();
        assert!(
            error
                .message
                .ends_with("line 1:7 no viable alternative at character '*'")
        );
        assert!(
            lex("'\\q'")
                .unwrap_err()
                .message
                .contains("Illegal escape sequence '\\q'")
        );
        assert!(lex("2024-13-01").is_err());
    }
}
