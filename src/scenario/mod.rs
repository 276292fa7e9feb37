//! Scenario files: parsed with locations, checked against the step kinds'
//! keys, templates checked before any request, and rendered at run time.

pub mod callback_ports;
pub mod check;
pub mod diag;
pub mod jsonschema;
pub mod load;
pub mod model;
pub mod node;
pub mod schema;
pub mod template;
