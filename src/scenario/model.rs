//! A scenario file after loading: typed where the structure is fixed, nodes
//! (with locations) where values are templates rendered at run time.

use crate::location::Location;
use crate::scenario::node::{Key, Node};

/// A loaded, checked scenario file.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The path as given.
    pub path: String,
    /// The file's text, for diagnostics.
    pub source: String,
    pub name: String,
    pub description: Option<String>,
    pub vars: Vec<(Key, Node)>,
    /// Names of variables (or environment variables) whose values are secret.
    pub secrets: Vec<Key>,
    pub mock: Option<Node>,
    /// The scenario needs what only the mock can arrange (a second user,
    /// another client IP): against a real org it is skipped, not run.
    pub mock_only: bool,
    pub steps: Vec<Step>,
}

impl Scenario {
    /// Whether `name` is declared secret.
    pub fn is_secret(&self, name: &str) -> bool {
        self.secrets.iter().any(|k| k.name == name)
    }

    /// Calls `f` on every template string of the file: vars, the mock
    /// section, and each step's name, parameters and expectations.
    pub fn for_each_template(&self, f: &mut dyn FnMut(&str, Location)) {
        for (_, node) in &self.vars {
            node.for_each_str(f);
        }
        if let Some(mock) = &self.mock {
            mock.for_each_str(f);
        }
        for step in &self.steps {
            if let Some(name) = &step.name {
                name.for_each_str(f);
            }
            step.params.for_each_str(f);
            if let Some(expect) = &step.expect {
                let matchers = expect.json.iter().chain(&expect.headers);
                let nodes = expect
                    .status
                    .iter()
                    .chain(matchers.flat_map(|pc| pc.ops.iter().map(|(_, n)| n)))
                    .chain(&expect.that);
                for node in nodes {
                    node.for_each_str(f);
                }
            }
        }
    }
}

pub use crate::kind::Kind;

/// One step.
#[derive(Debug, Clone)]
pub struct Step {
    /// 1-based.
    pub index: usize,
    pub id: Option<String>,
    /// Where the id's value stands.
    pub id_loc: Location,
    pub name: Option<Node>,
    pub doc: Option<String>,
    pub kind: Kind,
    /// The kind's parameters (a map, or for `set` the new variables).
    pub params: Node,
    pub expect: Option<Expect>,
    /// Where the step starts.
    pub loc: Location,
}

impl Step {
    /// `step 4 (`token`)` for messages.
    pub fn label(&self) -> String {
        match &self.id {
            Some(id) => format!("step {} (`{id}`)", self.index),
            None => format!("step {} ({})", self.index, self.kind.name()),
        }
    }
}

/// A comparison operator of an expectation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Equals,
    Contains,
    Matches,
    Exists,
    OneOf,
    Gt,
    Lt,
}

impl Op {
    pub fn from_name(name: &str) -> Option<Op> {
        Some(match name {
            "equals" => Op::Equals,
            "contains" => Op::Contains,
            "matches" => Op::Matches,
            "exists" => Op::Exists,
            "one_of" => Op::OneOf,
            "gt" => Op::Gt,
            "lt" => Op::Lt,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Op::Equals => "equals",
            Op::Contains => "contains",
            Op::Matches => "matches",
            Op::Exists => "exists",
            Op::OneOf => "one_of",
            Op::Gt => "gt",
            Op::Lt => "lt",
        }
    }
}

/// `path: matcher` in `json` or `headers`.
#[derive(Debug, Clone)]
pub struct PathCheck {
    pub path: Key,
    pub ops: Vec<(Op, Node)>,
}

/// A step's `expect` section.
#[derive(Debug, Clone, Default)]
pub struct Expect {
    pub status: Option<Node>,
    pub json: Vec<PathCheck>,
    pub headers: Vec<PathCheck>,
    pub that: Vec<Node>,
}
