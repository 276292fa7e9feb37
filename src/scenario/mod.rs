pub mod node;
pub mod diag;
pub mod schema;
pub mod model;
pub mod load;
pub mod check;
