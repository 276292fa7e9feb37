//! Recursive descent from tokens to a query tree (`ast`). Names stay as
//! written; `plan` resolves them.

use super::SoqlError;
use super::ast::{Expr, Lit, Literal, Name, Order, Query, Select};
use super::lexer::{Tok, Token, lex};

pub(crate) fn parse(source: &str) -> Result<Query, SoqlError> {
    let tokens = lex(source)?;
    let mut parser = Parser {
        source,
        tokens,
        index: 0,
    };
    parser.query()
}

struct Parser<'a> {
    source: &'a str,
    tokens: Vec<Token>,
    index: usize,
}

impl Parser<'_> {
    fn query(&mut self) -> Result<Query, SoqlError> {
        self.keyword("SELECT")?;
        let select = self.select()?;
        self.keyword("FROM")?;
        let from = self.name()?;
        let filter = if self.eat("WHERE") {
            Some(self.expr()?)
        } else {
            None
        };
        let mut order = Vec::new();
        if self.eat("ORDER") {
            self.keyword("BY")?;
            loop {
                order.push(self.order()?);
                if !self.eat_tok(&Tok::Comma) {
                    break;
                }
            }
        }
        let limit = if self.eat("LIMIT") {
            Some(self.count()?)
        } else {
            None
        };
        let offset = if self.eat("OFFSET") {
            Some(self.count()?)
        } else {
            None
        };
        if self.peek().tok != Tok::Eof {
            return Err(self.unexpected());
        }
        Ok(Query {
            select,
            from,
            filter,
            order,
            limit,
            offset,
        })
    }

    fn select(&mut self) -> Result<Select, SoqlError> {
        let is_count = self.peek().is("COUNT")
            && self
                .tokens
                .get(self.index + 1)
                .is_some_and(|t| t.tok == Tok::Open);
        if is_count {
            self.index += 2;
            self.expect(&Tok::Close)?;
            return Ok(Select::Count);
        }
        let mut fields = vec![self.name()?];
        while self.eat_tok(&Tok::Comma) {
            fields.push(self.name()?);
        }
        Ok(Select::Fields(fields))
    }

    /// `a AND b AND c` or `a OR b OR c`; a mixed chain needs parentheses.
    fn expr(&mut self) -> Result<Expr, SoqlError> {
        let mut items = vec![self.unary()?];
        let mut joiner: Option<&str> = None;
        loop {
            let word = ["AND", "OR"].into_iter().find(|word| self.peek().is(word));
            let Some(word) = word else { break };
            if joiner.is_some_and(|joiner| joiner != word) {
                return Err(self.unexpected());
            }
            joiner = Some(word);
            self.index += 1;
            items.push(self.unary()?);
        }
        Ok(match joiner {
            None => items.remove(0),
            Some("AND") => Expr::All(items),
            Some(_) => Expr::Any(items),
        })
    }

    fn unary(&mut self) -> Result<Expr, SoqlError> {
        if self.eat("NOT") {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.eat_tok(&Tok::Open) {
            let inner = self.expr()?;
            self.expect(&Tok::Close)?;
            return Ok(inner);
        }
        let field = self.name()?;
        if let Tok::Op(op) = self.peek().tok {
            self.index += 1;
            return Ok(Expr::Compare(field, op, self.literal()?));
        }
        if self.eat("LIKE") {
            return Ok(Expr::Like(field, self.literal()?));
        }
        let negated = self.eat("NOT");
        if !self.peek().is("IN") {
            return Err(self.unexpected());
        }
        self.index += 1;
        self.expect(&Tok::Open)?;
        let mut values = vec![self.literal()?];
        while self.eat_tok(&Tok::Comma) {
            values.push(self.literal()?);
        }
        self.expect(&Tok::Close)?;
        Ok(Expr::In(field, negated, values))
    }

    fn order(&mut self) -> Result<Order, SoqlError> {
        let field = self.name()?;
        let descending = if self.eat("DESC") {
            true
        } else {
            self.eat("ASC");
            false
        };
        let mut nulls_last = descending;
        if self.eat("NULLS") {
            if self.eat("LAST") {
                nulls_last = true;
            } else {
                self.keyword("FIRST")?;
                nulls_last = false;
            }
        }
        Ok(Order {
            field,
            descending,
            nulls_last,
        })
    }

    fn literal(&mut self) -> Result<Literal, SoqlError> {
        let token = self.peek();
        let value = match &token.tok {
            Tok::Str(text) => Lit::Str(text.clone()),
            Tok::Num(number) => Lit::Num(*number),
            Tok::Date(date) => Lit::Date(date.clone()),
            Tok::DateTime(stamp) => Lit::DateTime(stamp.clone()),
            Tok::Word if token.is("NULL") => Lit::Null,
            Tok::Word if token.is("TRUE") => Lit::Bool(true),
            Tok::Word if token.is("FALSE") => Lit::Bool(false),
            _ => return Err(self.unexpected()),
        };
        let at = token.at;
        self.index += 1;
        Ok(Literal { value, at })
    }

    /// A whole, non-negative number (LIMIT, OFFSET).
    fn count(&mut self) -> Result<u64, SoqlError> {
        match self.peek().tok {
            Tok::Num(number) if number >= 0.0 && number.fract() == 0.0 && number <= 1e15 => {
                self.index += 1;
                #[expect(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "checked whole and in range"
                )]
                Ok(number as u64)
            }
            _ => Err(self.unexpected()),
        }
    }

    fn name(&mut self) -> Result<Name, SoqlError> {
        let token = self.peek();
        if token.tok != Tok::Word || is_reserved(&token.text) {
            return Err(self.unexpected());
        }
        let name = Name {
            text: token.text.clone(),
            at: token.at,
        };
        self.index += 1;
        Ok(name)
    }

    fn keyword(&mut self, word: &str) -> Result<(), SoqlError> {
        if self.eat(word) {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn expect(&mut self, tok: &Tok) -> Result<(), SoqlError> {
        if self.eat_tok(tok) {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn eat(&mut self, word: &str) -> bool {
        let found = self.peek().is(word);
        self.index += usize::from(found);
        found
    }

    fn eat_tok(&mut self, tok: &Tok) -> bool {
        let found = self.peek().tok == *tok;
        self.index += usize::from(found);
        found
    }

    fn peek(&self) -> &Token {
        let last = self.tokens.len().saturating_sub(1);
        &self.tokens[self.index.min(last)]
    }

    /// `unexpected token: X`; located, except for a wrong first token (which
    /// Salesforce reports bare, e.g. `unexpected token: q`).
    fn unexpected(&self) -> SoqlError {
        let token = self.peek();
        let message = format!("unexpected token: {}", token.text);
        if self.index == 0 {
            SoqlError::new("MALFORMED_QUERY", message)
        } else {
            SoqlError::located("MALFORMED_QUERY", self.source, token.at, &message)
        }
    }
}

/// Words that cannot name a field or object.
fn is_reserved(word: &str) -> bool {
    const RESERVED: [&str; 16] = [
        "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER", "BY", "LIMIT",
        "OFFSET", "NULL", "TRUE", "FALSE", "NULLS",
    ];
    RESERVED
        .iter()
        .any(|reserved| reserved.eq_ignore_ascii_case(word))
}
