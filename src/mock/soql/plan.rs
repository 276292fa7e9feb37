//! Binding a parsed query to an sObject type: names resolved to fields (one
//! parent relationship deep), literals checked against field types.

use super::SoqlError;
use super::ast::{Expr, Lit, Literal, Name, Query, Select};
use super::lexer::Op;
use crate::mock::sobjects::SObjectKind;
use crate::mock::sobjects::fields::{FieldDef, FieldType};
use crate::mock::sobjects::record::is_id_shaped;

const MAX_OFFSET: u64 = 2000;

/// A field of the queried type, or of a parent through a lookup.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Path {
    Field(&'static FieldDef),
    Parent {
        via: &'static FieldDef,
        kind: SObjectKind,
        field: &'static FieldDef,
    },
}

impl Path {
    /// The field whose value the path reads.
    pub(crate) fn target(self) -> &'static FieldDef {
        match self {
            Path::Field(field) | Path::Parent { field, .. } => field,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cond {
    All(Vec<Cond>),
    Any(Vec<Cond>),
    Not(Box<Cond>),
    Compare(Path, Op, Lit),
    In(Path, bool, Vec<Lit>),
    Like(Path, String),
}

/// A query ready to run.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Plan {
    pub(crate) kind: SObjectKind,
    /// `SELECT COUNT()`.
    pub(crate) count: bool,
    pub(crate) columns: Vec<Path>,
    pub(crate) filter: Option<Cond>,
    /// `(path, descending, nulls last)`.
    pub(crate) order: Vec<(Path, bool, bool)>,
    pub(crate) limit: Option<u64>,
    pub(crate) offset: u64,
}

/// `tooling`: only the sObjects the Tooling API has.
pub(crate) fn bind(source: &str, query: &Query, tooling: bool) -> Result<Plan, SoqlError> {
    let found = SObjectKind::find(&query.from.text).filter(|kind| !tooling || kind.tooling);
    let kind = found.ok_or_else(|| {
        let message = format!(
            "sObject type '{}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.",
            query.from.text
        );
        SoqlError::located("INVALID_TYPE", source, query.from.at, &message)
    })?;
    let binder = Binder { source, kind };
    let (count, columns) = match &query.select {
        Select::Count => (true, Vec::new()),
        Select::Fields(names) => {
            let mut columns: Vec<Path> = Vec::new();
            for name in names {
                let path = binder.path(name)?;
                if columns.contains(&path) {
                    let message = format!("duplicate field selected: {}", path.target().name);
                    return Err(SoqlError::new("MALFORMED_QUERY", message));
                }
                columns.push(path);
            }
            (false, columns)
        }
    };
    let filter = query
        .filter
        .as_ref()
        .map(|expr| binder.cond(expr))
        .transpose()?;
    let order = query
        .order
        .iter()
        .map(|order| {
            Ok((
                binder.path(&order.field)?,
                order.descending,
                order.nulls_last,
            ))
        })
        .collect::<Result<_, SoqlError>>()?;
    let offset = query.offset.unwrap_or(0);
    if offset > MAX_OFFSET {
        return Err(SoqlError::new(
            "NUMBER_OUTSIDE_VALID_RANGE",
            format!("Maximum SOQL offset allowed is {MAX_OFFSET}"),
        ));
    }
    Ok(Plan {
        kind,
        count,
        columns,
        filter,
        order,
        limit: query.limit,
        offset,
    })
}

struct Binder<'a> {
    source: &'a str,
    kind: SObjectKind,
}

impl Binder<'_> {
    fn path(&self, name: &Name) -> Result<Path, SoqlError> {
        let mut parts: Vec<&str> = name.text.split('.').collect();
        // `Account.Name` FROM Account: the object's own name may lead.
        if parts.len() > 1
            && parts[0].eq_ignore_ascii_case(self.kind.name)
            && self.kind.relationship(parts[0]).is_none()
        {
            parts.remove(0);
        }
        match parts.as_slice() {
            [field] => self.field(self.kind, field, name.at).map(Path::Field),
            [relationship, field] => {
                let via = self.kind.relationship(relationship);
                let parent = via
                    .and_then(|via| via.reference_to)
                    .and_then(SObjectKind::find);
                let (Some(via), Some(parent)) = (via, parent) else {
                    return Err(self.bad_relationship(relationship, name.at));
                };
                let field = self.field(parent, field, name.at)?;
                Ok(Path::Parent {
                    via,
                    kind: parent,
                    field,
                })
            }
            [relationship, ..] => Err(self.bad_relationship(relationship, name.at)),
            [] => Err(self.bad_relationship("", name.at)),
        }
    }

    fn field(
        &self,
        kind: SObjectKind,
        name: &str,
        at: usize,
    ) -> Result<&'static FieldDef, SoqlError> {
        kind.field(name).ok_or_else(|| {
            let message = format!(
                "No such column '{name}' on entity '{}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
                kind.name
            );
            SoqlError::located("INVALID_FIELD", self.source, at, &message)
        })
    }

    fn bad_relationship(&self, relationship: &str, at: usize) -> SoqlError {
        let message = format!(
            "Didn't understand relationship '{relationship}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names."
        );
        SoqlError::located("INVALID_FIELD", self.source, at, &message)
    }

    fn cond(&self, expr: &Expr) -> Result<Cond, SoqlError> {
        Ok(match expr {
            Expr::All(items) => Cond::All(self.conds(items)?),
            Expr::Any(items) => Cond::Any(self.conds(items)?),
            Expr::Not(inner) => Cond::Not(Box::new(self.cond(inner)?)),
            Expr::Compare(name, op, literal) => {
                let path = self.path(name)?;
                Cond::Compare(path, *op, self.literal(path, literal)?)
            }
            Expr::In(name, negated, literals) => {
                let path = self.path(name)?;
                let values = literals
                    .iter()
                    .map(|literal| self.literal(path, literal))
                    .collect::<Result<_, _>>()?;
                Cond::In(path, *negated, values)
            }
            Expr::Like(name, literal) => {
                let path = self.path(name)?;
                match &literal.value {
                    Lit::Str(pattern) if path.target().kind.is_text() => {
                        Cond::Like(path, pattern.clone())
                    }
                    _ => {
                        let message =
                            format!("invalid operator on {} field", path.target().kind.name());
                        return Err(SoqlError::located(
                            "INVALID_QUERY_FILTER_OPERATOR",
                            self.source,
                            literal.at,
                            &message,
                        ));
                    }
                }
            }
        })
    }

    fn conds(&self, items: &[Expr]) -> Result<Vec<Cond>, SoqlError> {
        items.iter().map(|item| self.cond(item)).collect()
    }

    /// The literal if its kind suits the field's type (strings lose the LIKE escapes).
    fn literal(&self, path: Path, literal: &Literal) -> Result<Lit, SoqlError> {
        let field = path.target();
        let ty = field.kind;
        let wanted = match ty {
            FieldType::Boolean => "boolean",
            FieldType::Int => "int",
            FieldType::Currency | FieldType::Percent => "double",
            FieldType::Date => "date",
            FieldType::DateTime => "dateTime",
            _ => "string",
        };
        let suits = match &literal.value {
            Lit::Null => true,
            Lit::Str(_) => ty.is_text(),
            Lit::Num(_) => ty.is_number(),
            Lit::Bool(_) => ty == FieldType::Boolean,
            Lit::Date(_) => ty == FieldType::Date,
            Lit::DateTime(_) => ty == FieldType::DateTime,
        };
        if !suits {
            let quotes = if wanted == "string" {
                "should be"
            } else {
                "should not be"
            };
            let message = format!(
                "value of filter criterion for field '{}' must be of type {wanted} and {quotes} enclosed in quotes",
                field.name
            );
            return Err(SoqlError::located(
                "INVALID_FIELD",
                self.source,
                literal.at,
                &message,
            ));
        }
        match &literal.value {
            Lit::Str(text) => {
                let text = text.replace("\\%", "%").replace("\\_", "_");
                let is_id = matches!(ty, FieldType::Id | FieldType::Reference);
                if is_id && !text.is_empty() && !is_id_shaped(&text) {
                    let message = format!("invalid ID field: {text}");
                    return Err(SoqlError::located(
                        "INVALID_QUERY_FILTER_OPERATOR",
                        self.source,
                        literal.at,
                        &message,
                    ));
                }
                Ok(Lit::Str(text))
            }
            other => Ok(other.clone()),
        }
    }
}
