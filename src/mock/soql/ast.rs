//! The parsed query: names as written, with byte offsets for error messages.

use super::lexer::Op;

/// A name as written, with its byte offset.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Name {
    pub(crate) text: String,
    pub(crate) at: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Select {
    Count,
    Fields(Vec<Name>),
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Lit {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    Date(String),
    /// Normalised to the REST form, `…T12:00:00.000+0000`.
    DateTime(String),
}

/// A literal value, with its byte offset.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Literal {
    pub(crate) value: Lit,
    pub(crate) at: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    All(Vec<Expr>),
    Any(Vec<Expr>),
    Not(Box<Expr>),
    Compare(Name, Op, Literal),
    In(Name, bool, Vec<Literal>),
    Like(Name, Literal),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Order {
    pub(crate) field: Name,
    pub(crate) descending: bool,
    pub(crate) nulls_last: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Query {
    pub(crate) select: Select,
    pub(crate) from: Name,
    pub(crate) filter: Option<Expr>,
    pub(crate) order: Vec<Order>,
    pub(crate) limit: Option<u64>,
    pub(crate) offset: Option<u64>,
}
