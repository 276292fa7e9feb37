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

fn too_large() -> Error {
    Error::new(
        ErrorKind::InvalidOperation,
        format!(
            "the value is larger than the limit of {} MiB",
            MAX_OUTPUT / 1024 / 1024
        ),
    )
}

/// Collects rendered text up to [`MAX_OUTPUT`] bytes, then refuses more.
#[derive(Default)]
struct CappedWriter {
    buf: Vec<u8>,
    /// Bytes seen, when only counting.
    counted: usize,
    counting: bool,
    overflowed: bool,
}

impl CappedWriter {
    /// Counts bytes without keeping them.
    fn counting() -> Self {
        CappedWriter {
            counting: true,
            ..Self::default()
        }
    }
}

impl std::io::Write for CappedWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let seen = if self.counting {
            self.counted
        } else {
            self.buf.len()
        };
        if seen + data.len() > MAX_OUTPUT {
            self.overflowed = true;
            return Err(std::io::Error::other("rendered text too large"));
        }
        if self.counting {
            self.counted += data.len();
        } else {
            self.buf.extend_from_slice(data);
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Value {
        Value::from_serialize(serde_json::json!({"n": 5, "s": "a b", "m": {"k": "v"}}))
    }

    #[test]
    fn lone_expression_keeps_type() {
        let t = Templates::new();
        assert_eq!(
            t.render_str("{{ n }}", &ctx()).unwrap(),
            serde_json::json!(5)
        );
        assert_eq!(
            t.render_str("x{{ n }}", &ctx()).unwrap(),
            serde_json::json!("x5")
        );
        assert_eq!(
            t.render_str("{{ m }}", &ctx()).unwrap(),
            serde_json::json!({"k": "v"})
        );
    }

    #[test]
    fn undefined_is_an_error() {
        let t = Templates::new();
        assert!(t.render_str("{{ nope }}", &ctx()).is_err());
        assert!(t.render_str("a {{ nope }}", &ctx()).is_err());
        assert!(t.render_str("{{ m.nope }}", &ctx()).is_err());
    }

    #[test]
    fn extra_filters() {
        let t = Templates::new();
        let r = |s| t.render_str(s, &ctx()).unwrap();
        assert_eq!(r("{{ s | urlencode }}"), serde_json::json!("a%20b"));
        assert_eq!(r("{{ 'hi' | b64encode }}"), serde_json::json!("aGk="));
        assert_eq!(r("{{ 'hi?' | b64url }}"), serde_json::json!("aGk_"));
        assert_eq!(
            r("{{ 'abc' | sha256 }}"),
            serde_json::json!("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        );
        assert_eq!(r("{{ m | json }}"), serde_json::json!("{\"k\":\"v\"}"));
        assert_eq!(
            r("{{ 'e30.eyJzdWIiOiJ4In0.sig' | jwt_claims }}"),
            serde_json::json!({"sub": "x"})
        );
    }

    #[test]
    fn free_port_is_fixed_per_run() {
        let t = Templates::new();
        let a = t.render_str("{{ free_port() }}", &ctx()).unwrap();
        let b = t.render_str("{{ free_port() }}", &ctx()).unwrap();
        assert_eq!(a, b);
        assert_eq!(t.ports().reserved().map(serde_json::Value::from), Some(a));
    }

    #[test]
    fn names_and_filters_found_statically() {
        let t = Templates::new();
        let names = t.names("{{ a.b }} {{ c | upper }}", false).unwrap();
        assert_eq!(names.into_iter().collect::<Vec<_>>(), vec!["a", "c"]);
        assert_eq!(
            Templates::unknown_filters("{{ x | nosuch }}"),
            vec!["nosuch"]
        );
        assert!(Templates::unknown_filters("{{ x | b64url | upper }}").is_empty());
        assert!(t.names("{{ a ", false).is_err());
    }
}

#[cfg(test)]
mod proptests {
    //! Whatever the template text, rendering and checking answer with a value
    //! or an error, and the error becomes a diagnostic inside the text.

    use proptest::prelude::*;

    use super::*;

    fn ctx() -> Value {
        Value::from_serialize(serde_json::json!({
            "n": 5, "s": "a b", "m": {"k": "v", "l": [1, 2, 3]},
            "org": {"client_id": "id", "login_url": "http://127.0.0.1:1"},
        }))
    }

    /// Pieces of templates, valid and not, to glue together.
    fn templateish() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("{{".to_owned()),
            Just("}}".to_owned()),
            Just("{%".to_owned()),
            Just("%}".to_owned()),
            Just("{#".to_owned()),
            Just("#}".to_owned()),
            Just(" n ".to_owned()),
            Just(" s ".to_owned()),
            Just(" m.k ".to_owned()),
            Just(" m.l[1] ".to_owned()),
            Just(" org.client_id ".to_owned()),
            Just(" nope ".to_owned()),
            Just(" | ".to_owned()),
            Just("urlencode".to_owned()),
            Just("b64encode".to_owned()),
            Just("b64url".to_owned()),
            Just("sha256".to_owned()),
            Just("json".to_owned()),
            Just("jwt_claims".to_owned()),
            Just("upper".to_owned()),
            Just("int".to_owned()),
            Just(" + ".to_owned()),
            Just(" ~ ".to_owned()),
            Just(" * ".to_owned()),
            Just(" / 0 ".to_owned()),
            Just("(".to_owned()),
            Just(")".to_owned()),
            Just("[".to_owned()),
            Just("]".to_owned()),
            Just("'".to_owned()),
            Just("\"".to_owned()),
            Just(" if ".to_owned()),
            Just(" for x in range(3) ".to_owned()),
            Just(" endfor ".to_owned()),
            Just(" endif ".to_owned()),
            Just(" set y = 1 ".to_owned()),
            Just("free_port()".to_owned()),
            Just("é".to_owned()),
            Just("😀".to_owned()),
            Just("\n".to_owned()),
            "[a-z]{1,6}",
            "[0-9]{1,12}",
            any::<String>(),
        ];
        proptest::collection::vec(piece, 0..24).prop_map(|v| v.concat())
    }

    fn answers(text: &str) -> Result<(), TestCaseError> {
        let t = Templates::new();
        let loc = Location { line: 3, column: 7 };
        if let Err(e) = t.render_str(text, &ctx()) {
            let d = template_diagnostic(&e, text, loc);
            let at = d.loc.ok_or_else(|| TestCaseError::fail("no location"))?;
            prop_assert!(at.line == 3 && at.column >= 7, "{d:?}");
            prop_assert!(!template_message(&e).is_empty());
        }
        for expression in [false, true] {
            if let Err(e) = t.names(text, expression) {
                let _ = template_diagnostic(&e, text, loc);
            }
        }
        let _ = Templates::unknown_filters(text);
        let _ = Templates::attribute_uses(text, "org");
        let _ = t.truth(text, &ctx());
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_text_renders_or_fails_cleanly(text in any::<String>()) {
            answers(&text)?;
        }

        #[test]
        fn template_like_text_renders_or_fails_cleanly(text in templateish()) {
            answers(&text)?;
        }

        #[test]
        fn one_expression_renders_or_fails_cleanly(inner in templateish()) {
            answers(&format!("{{{{ {inner} }}}}"))?;
        }
    }
}

#[cfg(test)]
mod path_tests {
    use super::Templates;

    #[test]
    fn paths_name_the_attributes_read() {
        let t = Templates::new();
        let paths = t
            .paths(
                "{{ pkce.code_verifier | urlencode }} {{ callback.params.code }} {{ a ~ org.client_id }}",
                false,
            )
            .unwrap_or_default();
        let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
        assert_eq!(
            paths,
            [
                "a",
                "callback.params.code",
                "org.client_id",
                "pkce.code_verifier"
            ]
        );
        let names = t
            .names("{{ x.y }} {% if z %}{% endif %}", false)
            .unwrap_or_default();
        assert_eq!(names.into_iter().collect::<Vec<_>>(), ["x", "z"]);
    }
}
