//! Templates: every string in a scenario is a minijinja template, rendered with
//! strict undefined behaviour. A string that is exactly one `{{ expr }}` keeps
//! the expression's type.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, OnceLock};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use minijinja::{Environment, Error, ErrorKind, UndefinedBehavior, Value};
use sha2::{Digest, Sha256};

use crate::location::Location;
use crate::ports::Reservation;

use crate::scenario::diag::Diagnostic;
use crate::scenario::node::{Node, Value as NodeValue};
use capped::{CappedWriter, too_large};

/// Filters sfscenario adds to minijinja's own.
pub const EXTRA_FILTERS: &[&str] = &["b64encode", "b64url", "sha256", "json", "jwt_claims"];

/// minijinja's built-in filters (from its defaults) plus ours.
const BUILTIN_FILTERS: &[&str] = &[
    "safe",
    "escape",
    "e",
    "lower",
    "upper",
    "title",
    "capitalize",
    "replace",
    "dictsort",
    "items",
    "reverse",
    "trim",
    "join",
    "split",
    "lines",
    "default",
    "d",
    "round",
    "abs",
    "int",
    "float",
    "attr",
    "first",
    "last",
    "min",
    "max",
    "sort",
    "list",
    "string",
    "bool",
    "batch",
    "slice",
    "sum",
    "indent",
    "select",
    "reject",
    "selectattr",
    "rejectattr",
    "map",
    "groupby",
    "unique",
    "chain",
    "zip",
    "pprint",
    "format",
    "tojson",
    "urlencode",
    "length",
    "count",
];

/// Work one rendering may do (minijinja's "fuel": about one unit per
/// instruction). The bundled scenarios' templates use a few dozen; a loop over
/// `range(100000)` inside another one would run for hours and is stopped.
pub const FUEL: u64 = 2_000_000;

/// Largest text one template may render to.
pub const MAX_OUTPUT: usize = 16 * 1024 * 1024;

/// Global functions available to templates.
pub const FUNCTIONS: &[&str] = &["free_port", "range", "dict", "namespace"];

/// A template engine for one scenario run.
pub struct Templates {
    env: Environment<'static>,
    /// The port behind `free_port()`.
    ports: Reservation,
}

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

impl Templates {
    pub fn new() -> Self {
        Self::with_ports(true)
    }

    /// For reading a scenario before it runs: `free_port()` is an error
    /// instead of reserving a port, since its value is known only then.
    pub fn ahead_of_run() -> Self {
        Self::with_ports(false)
    }

    fn with_ports(reserve: bool) -> Self {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_fuel(Some(FUEL));
        env.add_filter("b64encode", |v: String| STANDARD.encode(v));
        env.add_filter("b64url", |v: String| URL_SAFE_NO_PAD.encode(v));
        env.add_filter("sha256", |v: String| hex(&Sha256::digest(v.as_bytes())));
        env.add_filter("json", json_filter);
        env.add_filter("jwt_claims", jwt_claims);
        let ports = Reservation::default();
        let reservation = ports.clone();
        env.add_function("free_port", move || -> Result<u16, Error> {
            if !reserve {
                return Err(Error::new(
                    ErrorKind::InvalidOperation,
                    "free_port() is known only when the scenario runs",
                ));
            }
            reservation
                .port()
                .map_err(|e| Error::new(ErrorKind::InvalidOperation, format!("no free port: {e}")))
        });
        Templates { env, ports }
    }

    /// The port `free_port()` reserved, if it was called, and its socket.
    pub fn ports(&self) -> &Reservation {
        &self.ports
    }

    /// Renders a string; a lone `{{ expr }}` keeps its type.
    pub fn render_str(&self, text: &str, ctx: &Value) -> Result<serde_json::Value, Error> {
        if !text.contains("{{") && !text.contains("{%") {
            return Ok(serde_json::Value::String(text.to_owned()));
        }
        if let Some(expr) = lone_expression(text) {
            let value = self
                .compile_expression(expr)
                .and_then(|compiled| compiled.eval(ctx));
            let value = match value {
                Ok(v) if v.is_undefined() => Err(Error::new(
                    ErrorKind::UndefinedError,
                    format!("`{}` is undefined", expr.trim()),
                )),
                other => other,
            };
            return match value {
                Ok(v) => {
                    // The cap holds for a value as for rendered text, whatever
                    // its type: measured as the JSON it becomes, without
                    // building that JSON when it is too large.
                    let mut size = CappedWriter::counting();
                    if serde_json::to_writer(&mut size, &v).is_err() && size.overflowed {
                        return Err(too_large());
                    }
                    serde_json::to_value(&v)
                        .map_err(|e| Error::new(ErrorKind::BadSerialization, e.to_string()))
                }
                // The error's place is in `expr`: find it in the whole text again.
                Err(e) => Err(self.error_in_text(text, e, ctx)),
            };
        }
        let template = self.env.template_from_str(text)?;
        let mut out = CappedWriter::default();
        let rendered = template.render_captured_to(ctx, &mut out);
        if out.overflowed {
            return Err(too_large());
        }
        rendered?;
        String::from_utf8(out.buf)
            .map(serde_json::Value::String)
            .map_err(|e| Error::new(ErrorKind::BadSerialization, e.to_string()))
    }

    /// Renders every string of a node tree.
    pub fn render_node(&self, node: &Node, ctx: &Value) -> Result<serde_json::Value, Diagnostic> {
        Ok(match &node.value {
            NodeValue::Str(s) => self
                .render_str(s, ctx)
                .map_err(|e| template_diagnostic(&e, s, node.loc))?,
            NodeValue::Seq(items) => items
                .iter()
                .map(|n| self.render_node(n, ctx))
                .collect::<Result<Vec<_>, _>>()?
                .into(),
            NodeValue::Map(entries) => {
                let mut map = serde_json::Map::new();
                for (k, v) in entries {
                    map.insert(k.name.clone(), self.render_node(v, ctx)?);
                }
                map.into()
            }
            _ => node.to_json(),
        })
    }

    /// Evaluates an expression (for `that`), returning its truth.
    pub fn truth(&self, expr: &str, ctx: &Value) -> Result<bool, Error> {
        let compiled = self.compile_expression(expr)?;
        Ok(compiled.eval(ctx)?.is_true())
    }

    /// minijinja's `compile_expression`, minus its panic: a `}}` followed by
    /// more text outside quotes ("empty lexer stack" in minijinja 2.24).
    fn compile_expression<'s>(
        &'s self,
        expr: &'s str,
    ) -> Result<minijinja::Expression<'s, 's>, Error> {
        if stray_block_end(expr).is_some() {
            return Err(Error::new(
                ErrorKind::SyntaxError,
                "`}}` cannot stand in an expression (outside quotes)",
            ));
        }
        self.env.compile_expression(expr)
    }

    /// An error of the lone expression of `text`, with its place in `text`:
    /// the whole text is rendered as a template to get the same error there.
    fn error_in_text(&self, text: &str, first: Error, ctx: &Value) -> Error {
        let again = self
            .env
            .template_from_str(text)
            .and_then(|t| t.render_captured_to(ctx, std::io::sink()).map(|_| ()));
        match again {
            Err(e) if e.kind() == first.kind() && e.range().is_some() => e,
            _ => Error::new(first.kind(), first.detail().unwrap_or("").to_owned()),
        }
    }

    /// Names a template uses at top level, or its syntax error.
    pub fn names(&self, text: &str, expression: bool) -> Result<BTreeSet<String>, Error> {
        Ok(self
            .paths(text, expression)?
            .into_iter()
            .map(|p| p.split('.').next().unwrap_or_default().to_owned())
            .collect())
    }

    /// The variables a template uses, with the attributes it reads of them
    /// (`pkce.code_verifier`, `org.client_id`, `callback.params.code`), or
    /// its syntax error.
    pub fn paths(&self, text: &str, expression: bool) -> Result<BTreeSet<String>, Error> {
        if expression {
            let e = self.compile_expression(text)?;
            return Ok(e.undeclared_variables(true).into_iter().collect());
        }
        if !text.contains("{{") && !text.contains("{%") {
            return Ok(BTreeSet::new());
        }
        let t = self.env.template_from_str(text)?;
        Ok(t.undeclared_variables(true).into_iter().collect())
    }

    /// Attribute paths like `org.client_id` used in a template (for real-org checks).
    pub fn attribute_uses(text: &str, root: &str) -> BTreeSet<String> {
        if !text.contains(root) {
            return BTreeSet::new();
        }
        // One compiled pattern per root, kept: every string of a scenario is asked.
        static PATTERNS: OnceLock<Mutex<HashMap<String, Option<regex::Regex>>>> = OnceLock::new();
        let Ok(mut patterns) = PATTERNS.get_or_init(Mutex::default).lock() else {
            return BTreeSet::new();
        };
        let re = patterns.entry(root.to_owned()).or_insert_with(|| {
            let pattern = format!(r"\b{}\.([A-Za-z_][A-Za-z0-9_]*)", regex::escape(root));
            regex::Regex::new(&pattern).ok()
        });
        re.as_ref()
            .map(|re| re.captures_iter(text).map(|c| c[1].to_owned()).collect())
            .unwrap_or_default()
    }

    /// Filters used in a template that neither minijinja nor sfscenario define.
    pub fn unknown_filters(text: &str) -> Vec<String> {
        static RE: OnceLock<Option<regex::Regex>> = OnceLock::new();
        let Some(re) = RE
            .get_or_init(|| regex::Regex::new(r"\|\s*([A-Za-z_][A-Za-z0-9_]*)").ok())
            .as_ref()
        else {
            return Vec::new();
        };
        let mut unknown = Vec::new();
        for block in template_blocks(text) {
            for c in re.captures_iter(block) {
                let name = &c[1];
                if !BUILTIN_FILTERS.contains(&name) && !EXTRA_FILTERS.contains(&name) {
                    unknown.push(name.to_owned());
                }
            }
        }
        unknown
    }
}

/// The inside of `{{ … }}` and `{% … %}` blocks (filters live there).
fn template_blocks(text: &str) -> Vec<&str> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{").or_else(|| rest.find("{%")) {
        let open = &rest[start..start + 2];
        let close = if open == "{{" { "}}" } else { "%}" };
        let after = &rest[start + 2..];
        match after.find(close) {
            Some(end) => {
                blocks.push(&after[..end]);
                rest = &after[end + 2..];
            }
            None => break,
        }
    }
    blocks
}

/// Where `}}` stands in an expression outside a string literal.
pub fn stray_block_end(expr: &str) -> Option<usize> {
    let bytes = expr.as_bytes();
    let mut quote = None;
    let mut i = 0;
    while i < bytes.len() {
        match (quote, bytes[i]) {
            (Some(_), b'\\') => i += 1,
            (Some(q), c) if c == q => quote = None,
            (None, c @ (b'\'' | b'"')) => quote = Some(c),
            (None, b'}') if bytes.get(i + 1) == Some(&b'}') => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// `{{ expr }}` filling the whole string, without other blocks.
fn lone_expression(text: &str) -> Option<&str> {
    let inner = text.trim().strip_prefix("{{")?.strip_suffix("}}")?;
    (!inner.contains("{{") && !inner.contains("}}") && !inner.contains("{%")).then_some(inner)
}

/// A template error as a diagnostic pointing into the scenario file.
pub fn template_diagnostic(e: &Error, text: &str, loc: Location) -> Diagnostic {
    let mut message = template_message(e);
    // An undefined value is named by the expression that read it.
    if e.kind() == ErrorKind::UndefinedError
        && e.detail().is_none()
        && let Some(expr) = e.range().and_then(|r| text.get(r))
        && !expr.trim().is_empty()
    {
        message = format!("undefined value: `{}` is not defined", expr.trim());
    }
    let (offset, len) = match e
        .range()
        .and_then(|r| Some((text.get(..r.start)?, r.len())))
    {
        Some((before, len)) => (before.chars().count(), len),
        None => (0, 1),
    };
    let single_line = !text.contains('\n');
    let at = if single_line {
        Location {
            line: loc.line,
            column: loc.column + offset as u64,
        }
    } else {
        loc
    };
    Diagnostic::new(message, at).len(if single_line { len } else { 1 })
}

/// minijinja's message, without its own location suffix.
pub fn template_message(e: &Error) -> String {
    let detail = e.detail().unwrap_or("");
    let kind = match e.kind() {
        ErrorKind::UndefinedError => "undefined value",
        ErrorKind::SyntaxError => "template syntax error",
        ErrorKind::UnknownFilter => "unknown filter",
        ErrorKind::UnknownFunction => "unknown function",
        ErrorKind::OutOfFuel => {
            return format!(
                "template error: the template does too much work (more than {FUEL} steps); is a loop running away?"
            );
        }
        _ => "template error",
    };
    if detail.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {detail}")
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn json_filter(v: Value) -> Result<String, Error> {
    serde_json::to_string(&v).map_err(|e| Error::new(ErrorKind::BadSerialization, e.to_string()))
}

fn jwt_claims(v: String) -> Result<Value, Error> {
    let bad = |why: &str| Error::new(ErrorKind::InvalidOperation, format!("jwt_claims: {why}"));
    let payload = v.split('.').nth(1).ok_or_else(|| bad("not a JWT"))?;
    let bytes = URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| bad("payload is not base64url"))?;
    let json: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|_| bad("payload is not JSON"))?;
    Ok(Value::from_serialize(&json))
}

mod capped;

#[cfg(test)]
mod tests;
