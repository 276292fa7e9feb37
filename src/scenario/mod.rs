pub mod check;
pub mod diag;
pub mod jsonschema;
pub mod load;
pub mod model;
pub mod node;
pub mod schema;
